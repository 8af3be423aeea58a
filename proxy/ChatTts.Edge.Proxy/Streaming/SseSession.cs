using System.Text.Json;
using ChatTts.Edge.Admission;
using ChatTts.Edge.Audio;

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
    private readonly SseStreamIdentity _identity;
    private readonly byte[] _idPrefix;
    private readonly IStreamRecorder? _recorder;
    private long _lastWrite;
    private PeriodicTimer? _keepAlive;
    private bool _metaSent;
    private bool _queued;

    /// <param name="stalledClientTimeout">How long a write may wait for a client that accepts no bytes before the stream ends.</param>
    /// <param name="identity">Who the stream is; by default a new stream of the request, with no journal and no <c>retry:</c>.</param>
    public SseSession(HttpContext context, TimeProvider time, TimeSpan stalledClientTimeout, SseStreamIdentity? identity = null)
    {
        _context = context;
        _time = time;
        _client = new ClientConnection(context, time, stalledClientTimeout);
        _started = time.GetTimestamp();
        _lastWrite = _started;
        _events = new SseEventWriter(context.Response.BodyWriter);
        _identity = identity ?? new SseStreamIdentity(StreamIds.NewStream(), context.TraceIdentifier);
        _idPrefix = System.Text.Encoding.ASCII.GetBytes(_identity.StreamId + ":");
        _recorder = _identity.Recorder;
    }

    /// <summary>True once the 200 and the headers are sent: from then on, failures are <c>error</c> events.</summary>
    public bool IsOpen { get; private set; }

    public string RequestId => _identity.RequestId;

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
            WavHeader.Write(wav.Span, samples * PcmFormat.BytesPerSample);
            if (!Detached)
            {
                OpenWithMeta();
                _events.WriteAudio(_idPrefix, NextSeq, SamplesSent, samples, wav.Span);
            }

            _recorder?.Record(RecordedEventKind.Audio, NextSeq, SamplesSent, samples, wav.Span);
            NextSeq++;
            SamplesSent += samples;
            if (FirstAudioTimestamp is null)
            {
                FirstAudioTimestamp = _time.GetTimestamp();
                TimeToFirstAudio = _time.GetElapsedTime(_started, FirstAudioTimestamp.Value);
            }

            await FlushOrDetachAsync(cancellationToken);
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
        WriteEventAsync(RecordedEventKind.Done, DoneEvent, summary, static (json, s) =>
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
        WriteEventAsync(RecordedEventKind.Error, ErrorEvent, (error, LastSeq: NextSeq - 1), static (json, s) =>
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
}
