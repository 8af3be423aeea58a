using System.Buffers;
using ChatTts.Edge.Admission;
using ChatTts.Edge.Audio;
using Microsoft.AspNetCore.Http.Features;

namespace ChatTts.Edge.Streaming.OpenAi;

/// <summary>
/// The client side of one <c>POST /v1/audio/speech</c>: the audio as OpenAI sends it, either the file itself as a chunked body
/// (<see cref="OpenAiStreamFormat.Audio"/>) or <c>speech.audio.delta</c> events (<see cref="OpenAiStreamFormat.Sse"/>) holding
/// the same bytes in the same order. It opens (200 and headers) with the first audio, so a failed first attempt can still be
/// retried and a failure before any audio gets a real status. A failure after that aborts the chunked body (the client sees
/// a broken transfer, never a short file that looks whole) or ends the events with an <c>error</c> event in OpenAI's shape.
/// Writes are serialized by one lock.
/// </summary>
internal sealed class OpenAiSpeechOutput : ISpeechStream
{
    private static readonly byte[] DeltaBefore = "{\"type\":\"speech.audio.delta\",\"audio\":\""u8.ToArray();
    private static readonly byte[] DeltaAfter = "\"}"u8.ToArray();

    private readonly HttpContext _context;
    private readonly TimeProvider _time;
    private readonly OpenAiAudioFormat _audio;
    private readonly OpenAiStreamFormat _stream;
    private readonly long _started;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ClientConnection _client;
    private readonly SseEventWriter? _events;

    public OpenAiSpeechOutput(HttpContext context, TimeProvider time, TimeSpan stalledClientTimeout, OpenAiAudioFormat audio, OpenAiStreamFormat stream)
    {
        _context = context;
        _time = time;
        _audio = audio;
        _stream = stream;
        _started = time.GetTimestamp();
        _client = new ClientConnection(context, time, stalledClientTimeout);
        _events = stream == OpenAiStreamFormat.Sse ? new SseEventWriter(_client.Output) : null;
    }

    /// <summary>The <c>Content-Type</c> of the answer.</summary>
    public string ContentType => _stream == OpenAiStreamFormat.Sse ? "text/event-stream" : _audio == OpenAiAudioFormat.Wav ? "audio/wav" : "audio/pcm";

    public bool IsOpen { get; private set; }

    public bool ClientStalled => _client.Stalled;

    public string RequestId => _context.TraceIdentifier;

    public long FramesWritten { get; private set; }

    public long SamplesSent { get; private set; }

    public long? FirstAudioTimestamp { get; private set; }

    public TimeSpan? TimeToFirstAudio { get; private set; }

    public async ValueTask WriteFrameAsync(Memory<byte> wav, int samples, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            Open();

            // The frame's first WavHeader.Size bytes are free: the body's header goes there, ahead of its first PCM.
            var start = WavHeader.Size;
            if (FramesWritten == 0 && _audio == OpenAiAudioFormat.Wav)
            {
                WavHeader.WriteStreaming(wav.Span);
                start = 0;
            }

            var body = wav.Span[start..(WavHeader.Size + (samples * PcmFormat.BytesPerSample))];
            if (_events is { } events)
            {
                events.WriteBase64Data(DeltaBefore, body, DeltaAfter);
            }
            else
            {
                _client.Output.Write(body);
            }

            FramesWritten++;
            SamplesSent += samples;
            if (FirstAudioTimestamp is null)
            {
                FirstAudioTimestamp = _time.GetTimestamp();
                TimeToFirstAudio = _time.GetElapsedTime(_started, FirstAudioTimestamp.Value);
            }

            await _client.FlushAsync(cancellationToken);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>OpenAI's formats have no place for queue notices: the client just waits for the first audio.</summary>
    public ValueTask QueuedAsync(QueueNotice notice, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask AdmittedAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>OpenAI's formats have no place for segment boundaries: a split text's audio is one body, in text order.</summary>
    public ValueTask WriteSegmentAsync(SegmentStart segment, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>
    /// No keepalive: neither format has anything to send before the first audio (a comment would open the SSE stream, and
    /// with it give up retrying elsewhere), and once audio flows, <c>Edge:Streaming:IdleTimeout</c> bounds every gap.
    /// </summary>
    public Task KeepAliveAsync(TimeSpan interval, CancellationToken clientGone) => Task.CompletedTask;

    public void StopKeepAlive()
    {
    }

    /// <summary>The audio body ends by itself (its last chunk); the events end with <c>speech.audio.done</c> and the usage.</summary>
    public async Task WriteDoneAsync(DoneSummary summary, CancellationToken cancellationToken)
    {
        if (_events is not { } events)
        {
            return;
        }

        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            Open();
            events.WriteJsonData(summary, static (json, s) =>
            {
                var input = OpenAiUsage.InputTokens(s.Characters);
                var output = OpenAiUsage.OutputTokens(s.Samples);
                json.WriteString("type", "speech.audio.done");
                json.WriteStartObject("usage");
                json.WriteNumber("input_tokens", input);
                json.WriteNumber("output_tokens", output);
                json.WriteNumber("total_tokens", input + output);
                json.WriteEndObject();
            });
            await _client.FlushAsync(cancellationToken);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>
    /// The events end with an <c>error</c> event, <c>{"type":"error","error":{"message","type","param","code"}}</c> (the
    /// SDKs raise it as an API error); the audio body is cut off without its last chunk, so no client takes it for whole.
    /// </summary>
    public async Task WriteErrorAsync(StreamError error, CancellationToken cancellationToken)
    {
        if (_events is not { } events)
        {
            _context.Abort();
            return;
        }

        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            events.WriteJsonEvent("error"u8, error, static (json, e) =>
            {
                json.WriteString("type", "error");
                json.WriteStartObject("error");
                json.WriteString("message", e.Message);
                json.WriteString("type", "server_error");
                json.WriteNull("param");
                json.WriteString("code", e.Code);
                json.WriteEndObject();
            });
            await _client.FlushAsync(cancellationToken);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public void Dispose()
    {
        _writeLock.Dispose();
        _events?.Dispose();
    }

    private void Open()
    {
        if (IsOpen)
        {
            return;
        }

        IsOpen = true;
        var response = _context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ContentType;
        response.Headers.CacheControl = "no-cache, no-store, no-transform";
        response.Headers.ContentEncoding = "identity";
        response.Headers["X-Accel-Buffering"] = "no";
        _context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
    }
}
