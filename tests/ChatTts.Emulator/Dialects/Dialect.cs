using ChatTts.Emulator.Speech;
using Microsoft.AspNetCore.Http;

namespace ChatTts.Emulator.Dialects;

/// <summary>One ChatTTS server's wire dialect: its paths, how it reads a request, how it answers
/// health checks and errors. How the audio itself is framed is named by <see cref="AudioFraming"/>
/// and written by the streaming layer.</summary>
internal abstract class Dialect
{
    protected const int DefaultSeed = 42;

    public abstract string Name { get; }

    public abstract string HealthPath { get; }

    public abstract string SynthesisPath { get; }

    public abstract IReadOnlyList<string> SynthesisMethods { get; }

    /// <summary>The real server does not answer its health check while a synthesis runs (its event loop computes).</summary>
    public virtual bool HealthBlocksDuringSynthesis => false;

    /// <summary>The real server finishes a synthesis whose client went away, the GPU busy all the while.</summary>
    public virtual bool KeepsComputingAfterDisconnect => false;

    /// <summary>The real server runs requests side by side on its one GPU instead of one after another.</summary>
    public virtual bool RunsInParallel => false;

    /// <summary>Audio travels as server-sent events (the one huge message of
    /// <see cref="EmulatorFaults.OversizeMessageBytes"/> is then an event, not an error body).</summary>
    public virtual bool StreamsEvents => false;

    /// <summary>The content type of a whole WAV answer.</summary>
    public virtual string WavContentType => "audio/wav";

    /// <summary>The status and the JSON around the message of the dialect's error body, for writing a message too
    /// large to build in memory: <c>prefix + message + suffix</c> is the body.</summary>
    public abstract JsonErrorEnvelope LargeErrorEnvelope { get; }

    /// <summary>The health answer of a healthy server.</summary>
    public abstract IResult Healthy();

    /// <summary>The dialect's error body for an emulated 500 or 503.</summary>
    public abstract IResult Error(int statusCode, string message);

    /// <summary>Reads and validates a synthesis request. Always returns the record; a rejected one carries its answer.</summary>
    public abstract Task<ParsedRequest> ParseAsync(HttpRequest request, CancellationToken cancellationToken);

    /// <summary>What the server would synthesize for this record, with the server's defaults applied.</summary>
    public abstract SpeechKey KeyFor(SynthesisRecord record);
}

/// <summary>The dialect's JSON error body cut around its message (a JSON string's content).</summary>
internal sealed record JsonErrorEnvelope(int StatusCode, string Prefix, string Suffix);

/// <summary>How the audio goes on the wire.</summary>
internal enum AudioFraming
{
    /// <summary><c>text/event-stream</c>; each event's data is base64 of one step of PCM.</summary>
    EventStream,

    /// <summary>Chunked: a WAV header whose sizes are 0xFFFFFFFF, sent with the first step, then PCM.</summary>
    WavStreamUnknownSize,

    /// <summary>Chunked: a WAV header whose RIFF size is 36 and data size 0 (Python's <c>wave</c> module writing no
    /// frames), sent with the first step, then PCM.</summary>
    WavStreamZeroSize,

    /// <summary>One complete WAV with correct sizes and a Content-Length, once all is generated.</summary>
    WholeWav,

    /// <summary>A JSON summary once all is generated (chattts-ui without <c>wav=1</c>).</summary>
    JsonSummary,
}

/// <param name="Record">The request as received.</param>
/// <param name="Framing">How to answer it.</param>
/// <param name="Rejection">The answer when it is invalid; nothing is synthesized then.</param>
/// <param name="Summary">For <see cref="AudioFraming.JsonSummary"/>: the answer given the PCM length and the time taken.</param>
internal sealed record ParsedRequest(
    SynthesisRecord Record,
    AudioFraming Framing,
    IResult? Rejection = null,
    Func<int, TimeSpan, IResult>? Summary = null);
