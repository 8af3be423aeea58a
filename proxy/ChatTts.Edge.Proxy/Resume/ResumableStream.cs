using ChatTts.Edge.Hosting;
using ChatTts.Edge.Streaming;

namespace ChatTts.Edge.Resume;

/// <summary>
/// The journal of one new stream (the <see cref="IStreamRecorder"/> of its session): each event at its
/// <see cref="JournalPosition"/>, within <see cref="ResumeOptions.MaxStreamBytes"/>. When the client leaves after audio,
/// the synthesis goes on for the grace period; then it is cancelled, unless a resume attached first (one atomic claim in
/// the store decides, whichever replica the resume came to).
/// </summary>
internal sealed partial class ResumableStream : IStreamRecorder, IDisposable
{
    private readonly IResumeStore _store;
    private readonly JournalHeader _header;
    private readonly ResumeOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private bool _begun;
    private bool _broken;
    private bool _ended;
    private long _bytes;
    private long _major;
    private long _minor;
    private ITimer? _grace;
    private CancellationTokenSource? _synthesis;

    public ResumableStream(string streamId, JournalHeader header, IResumeStore store, ResumeOptions options, TimeProvider time, ILogger logger)
    {
        StreamId = streamId;
        _header = header;
        _store = store;
        _options = options;
        _time = time;
        _logger = logger;
    }

    public string StreamId { get; }

    /// <summary>The session's identity: a new stream of the request, recorded here.</summary>
    public SseStreamIdentity Identity => new(StreamId, _header.RequestId, ResumedFrom: null, _options.RetryMilliseconds, this);

    public void Record(RecordedEventKind kind, long seq, long offsetSamples, int samples, ReadOnlySpan<byte> payload)
    {
        if (_broken)
        {
            return;
        }

        JournalPosition position;
        if (kind == RecordedEventKind.Audio)
        {
            (_major, _minor) = (seq + 1, 0);
            position = new JournalPosition(_major, 0);
        }
        else
        {
            position = new JournalPosition(_major, ++_minor);
        }

        _bytes += payload.Length;
        if (_bytes > _options.MaxStreamBytes)
        {
            Break();
            return;
        }

        if (!_begun)
        {
            _begun = true;
            _store.Begin(StreamId, _header);
        }

        if (!_store.Append(StreamId, position, new RecordedEvent(kind, seq, offsetSamples, samples, default), payload))
        {
            Break();
        }
    }

    /// <summary>
    /// The client left after audio: <paramref name="synthesis"/> is cancelled after the grace period unless a resume
    /// attached to the stream by then (at once when the stream cannot be resumed).
    /// </summary>
    public void ClientLeft(CancellationTokenSource synthesis)
    {
        lock (_lock)
        {
            if (_ended)
            {
                return;
            }

            _synthesis = synthesis;
            if (_broken || !_begun || _options.Grace <= TimeSpan.Zero)
            {
                synthesis.Cancel();
                return;
            }

            _grace = _time.CreateTimer(static state => _ = ((ResumableStream)state!).GraceEndedAsync(), this, _options.Grace, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>The stream ended: the grace period (if any) is over, the journal ends.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_ended)
            {
                return;
            }

            _ended = true;
            _grace?.Dispose();
            _synthesis = null;
        }

        if (_begun)
        {
            _store.End(StreamId);
        }
    }

    private void Break()
    {
        _broken = true;
        if (_begun)
        {
            _store.Break(StreamId);
        }

        Log.Broken(_logger, _header.RequestId, _bytes);
    }

    private async Task GraceEndedAsync()
    {
        ResumeClaim? standing;
        try
        {
            standing = await _store.ClaimAsync(StreamId, ResumeClaim.Abandoned, CancellationToken.None);
        }
        catch (Exception ex) when (ex is Redis.RedisUnavailableException)
        {
            standing = null; // no resume can attach through an unreachable store either
        }

        var attached = standing == ResumeClaim.Attached;
        Log.GraceEnded(_logger, _header.RequestId, attached);
        if (attached)
        {
            return;
        }

        lock (_lock)
        {
            if (!_ended)
            {
                _synthesis?.Cancel();
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(LogEvents.ResumeGraceEnded, LogLevel.Debug, "Stream {RequestId}: its client left; after the grace period a resume had attached: {Attached}")]
        public static partial void GraceEnded(ILogger logger, string requestId, bool attached);

        [LoggerMessage(LogEvents.ResumeJournalBroken, LogLevel.Debug, "Stream {RequestId} can no longer be resumed after {Bytes} bytes of events")]
        public static partial void Broken(ILogger logger, string requestId, long bytes);
    }
}
