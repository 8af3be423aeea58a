using System.Globalization;
using System.Security.Cryptography;

namespace ChatTts.Edge.Streaming;

/// <summary>What an event after <c>meta</c> is.</summary>
internal enum RecordedEventKind
{
    Audio,
    Segment,
    Done,
    Error,
}

/// <summary>
/// One event of a stream after <c>meta</c>, as a journal keeps it: what <see cref="SseEventWriter"/> needs to write the
/// same bytes again.
/// </summary>
/// <param name="Seq">An audio event's <c>seq</c>; otherwise the seq of the audio event before it, or -1.</param>
/// <param name="OffsetSamples">An audio event's start in the stream, in samples.</param>
/// <param name="Samples">An audio event's length in samples.</param>
/// <param name="Payload">An audio event's complete WAV file; otherwise the event's JSON data.</param>
internal readonly record struct RecordedEvent(RecordedEventKind Kind, long Seq, long OffsetSamples, int Samples, ReadOnlyMemory<byte> Payload)
{
    /// <summary>A stream ends with this event.</summary>
    public bool IsLast => Kind is RecordedEventKind.Done or RecordedEventKind.Error;
}

/// <summary>
/// The seam through which an <see cref="SseSession"/> hands every event after <c>meta</c> to a journal (so a client that
/// reconnects can continue after the last event it had), in the order written. Called on the audio path: it must not
/// block, and it copies what it keeps (the span is the response's memory).
/// </summary>
internal interface IStreamRecorder
{
    void Record(RecordedEventKind kind, long seq, long offsetSamples, int samples, ReadOnlySpan<byte> payload);
}

/// <summary>Who an SSE stream is: the token in its audio events' ids, the request it answers and where it resumes.</summary>
/// <param name="StreamId">The stream's token: every audio event's SSE id is <c>&lt;StreamId&gt;:&lt;seq&gt;</c>.</param>
/// <param name="RequestId"><c>meta.request_id</c>: the request that started the stream.</param>
/// <param name="ResumedFrom"><c>meta.resumed_from</c>: the id this stream continues after; null for a new stream.</param>
/// <param name="RetryMilliseconds">The <c>retry:</c> field sent when the stream opens; null sends none.</param>
/// <param name="Recorder">Where the events after <c>meta</c> are recorded; null records nothing.</param>
internal sealed record SseStreamIdentity(string StreamId, string RequestId, string? ResumedFrom = null, int? RetryMilliseconds = null, IStreamRecorder? Recorder = null);

/// <summary>SSE ids of audio events: <c>&lt;stream&gt;:&lt;seq&gt;</c>, the stream an unguessable token the edge makes.</summary>
internal static class StreamIds
{
    private const int TokenBytes = 16;

    /// <summary>A new stream token: 16 random bytes as lowercase hex.</summary>
    public static string NewStream() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(TokenBytes));

    /// <summary>Reads an audio event's id; false for anything else (another format, another server's id).</summary>
    public static bool TryParse(string? id, out string stream, out long seq)
    {
        stream = "";
        seq = -1;
        var colon = id?.LastIndexOf(':') ?? -1;
        if (id is null || colon != TokenBytes * 2)
        {
            return false;
        }

        foreach (var c in id.AsSpan(0, colon))
        {
            if (!char.IsAsciiHexDigitLower(c) && !char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        if (!long.TryParse(id.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out seq))
        {
            return false;
        }

        stream = id[..colon];
        return true;
    }
}
