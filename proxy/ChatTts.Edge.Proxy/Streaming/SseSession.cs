using System.Text.Json;
using ChatTts.Edge.Admission;
using ChatTts.Edge.Audio;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace ChatTts.Edge.Streaming;

/// <summary>
/// The client side of one stream: opens it (status and headers) only when there is something to send,
/// writes <c>queued</c>, <c>meta</c>, <c>audio</c>, <c>done</c> or <c>error</c> in order, and keeps it alive while
/// it is quiet. Writes from the audio path, the admission queue and the keepalive timer are serialized by one lock.
/// </summary>
internal sealed partial class SseSession : ISpeechStream
{
    private static readonly byte[] QueuedEvent = "queued"u8.ToArray();
    private static readonly byte[] DoneEvent = "done"u8.ToArray();
    private static readonly byte[] ErrorEvent = "error"u8.ToArray();

    private readonly HttpContext _context;
    private readonly TimeProvider _time;
    private readonly ClientConnection _client;
    private readonly long _started;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly SseEventWriter _events;
    private long _lastWrite;
    private PeriodicTimer? _keepAlive;
    private bool _metaSent;
    private bool _queued;

    /// <param name="stalledClientTimeout">How long a write may wait for a client that accepts no bytes before the stream ends.</param>
    public SseSession(HttpContext context, TimeProvider time, TimeSpan stalledClientTimeout)
    {
        _context = context;
        _time = time;
        _client = new ClientConnection(context, time, stalledClientTimeout);
        _started = time.GetTimestamp();
        _lastWrite = _started;
        _events = new SseEventWriter(context.Response.BodyWriter);
    }

    /// <summary>True once the 200 and the headers are sent: from then on, failures are <c>error</c> events.</summary>
    public bool IsOpen { get; private set; }

    public string RequestId => _context.TraceIdentifier;

    public long NextSeq { get; private set; }

    long ISynthesisOutput.FramesWritten => NextSeq;

    /// <summary>
    /// True once the stream was ended because the client accepted no bytes for the stalled-client timeout (see
    /// <see cref="ClientConnection.Stalled"/>).
    /// </summary>
    public bool ClientStalled => _client.Stalled;

    public long SamplesSent { get; private set; }

    public TimeSpan? TimeToFirstAudio { get; private set; }

    /// <summary>When the first audio event was written, as a <see cref="TimeProvider"/> timestamp.</summary>
    public long? FirstAudioTimestamp { get; private set; }

    public async ValueTask WriteFrameAsync(Memory<byte> wav, int samples, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            OpenWithMeta();
            WavHeader.Write(wav.Span, samples * PcmFormat.BytesPerSample);
            _events.WriteAudio(NextSeq, SamplesSent, samples, wav.Span);
            NextSeq++;
            SamplesSent += samples;
            if (FirstAudioTimestamp is null)
            {
                FirstAudioTimestamp = _time.GetTimestamp();
                TimeToFirstAudio = _time.GetElapsedTime(_started, FirstAudioTimestamp.Value);
            }

            await FlushAsync(cancellationToken);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Writes a <c>queued</c> event: the stream opens, and the client sees its place in the queue.</summary>
    public async ValueTask QueuedAsync(QueueNotice notice, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            if (_metaSent)
            {
                return; // a retry waiting again after meta went out: queued events only come before meta
            }

            Open();
            _queued = true;
            _events.WriteJsonEvent(QueuedEvent, notice, static (json, n) =>
            {
                json.WriteNumber("position", n.Position);
                json.WriteNumber("estimated_wait_ms", Math.Round(n.EstimatedWait.TotalMilliseconds));
            });
            await FlushAsync(cancellationToken);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>A request that waited in the queue got its GPU: <c>meta</c> goes out now, ending its <c>queued</c> events.</summary>
    public async ValueTask AdmittedAsync(CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            if (!_queued || _metaSent)
            {
                return;
            }

            OpenWithMeta();
            await FlushAsync(cancellationToken);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public Task WriteDoneAsync(DoneSummary summary, CancellationToken cancellationToken) =>
        WriteEventAsync(DoneEvent, summary, static (json, s) =>
        {
            json.WriteNumber("chunks", s.Chunks);
            json.WriteNumber("samples", s.Samples);
            json.WriteNumber("duration_ms", PcmFormat.ToMilliseconds(s.Samples));
            json.WriteNumber("characters", s.Characters);
            json.WriteNumber("ttfa_ms", Math.Round(s.TimeToFirstAudio.TotalMilliseconds, 1));
            json.WriteString("backend", s.Backend);
            if (s.Segments is { } segments)
            {
                json.WriteNumber("segments", segments);
            }

            if (s.Cached)
            {
                json.WriteBoolean("cached", true);
            }
        }, cancellationToken);

    public Task WriteErrorAsync(StreamError error, CancellationToken cancellationToken) =>
        WriteEventAsync(ErrorEvent, (error, LastSeq: NextSeq - 1), static (json, s) =>
        {
            json.WriteString("code", s.error.Code);
            json.WriteString("message", s.error.Message);
            json.WriteBoolean("retryable", s.error.Retryable);
            if (s.LastSeq >= 0)
            {
                json.WriteNumber("last_seq", s.LastSeq);
            }
        }, cancellationToken);

    public void Dispose()
    {
        _keepAlive?.Dispose();
        _writeLock.Dispose();
        _events.Dispose();
    }

    private async Task WriteEventAsync<TState>(byte[] name, TState state, Action<Utf8JsonWriter, TState> body, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            OpenWithMeta();
            _events.WriteJsonEvent(name, state, body);
            await FlushAsync(cancellationToken);
        }
        finally
        {
            _writeLock.Release();
        }
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
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache, no-store, no-transform";
        response.Headers.ContentEncoding = "identity";
        response.Headers["X-Accel-Buffering"] = "no";
        _context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
    }

    /// <summary>Opens the stream if needed and sends <c>meta</c> once, ahead of anything but <c>queued</c>.</summary>
    private void OpenWithMeta()
    {
        Open();
        if (_metaSent)
        {
            return;
        }

        _metaSent = true;
        _events.WriteJsonEvent("meta"u8, RequestId, static (json, id) =>
        {
            json.WriteString("request_id", id);
            json.WriteNumber("sample_rate", PcmFormat.SampleRate);
            json.WriteNumber("channels", PcmFormat.Channels);
            json.WriteNumber("bits_per_sample", PcmFormat.BitsPerSample);
            json.WriteString("format", "wav");
        });
    }

    private ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        _lastWrite = _time.GetTimestamp();
        return _client.FlushAsync(cancellationToken);
    }
}
