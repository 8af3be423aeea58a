using System.Diagnostics;
using System.Runtime.ExceptionServices;
using ChatTts.Edge.Admission;
using ChatTts.Edge.Backends;
using ChatTts.Edge.Hosting;
using ChatTts.Edge.Observability;
using ChatTts.Edge.Resilience;
using ChatTts.Edge.Streaming;

namespace ChatTts.Edge.Synthesis;

/// <summary>
/// One request's synthesis: each attempt takes a GPU slot (waiting in the admission queue if need be) and streams that
/// backend's audio into the request's <see cref="ISynthesisOutput"/> (the client's SSE stream, for one) (<see cref="BackendAttempt"/>); a failure before any audio
/// is retried on another backend by <see cref="SynthesisRetry"/>, which this run answers to directly.
/// </summary>
internal sealed partial class SynthesisRun : IRetryableSynthesis, ISpeechSynthesis
{
    private readonly SynthesisServices _services;
    private readonly HttpContext _context;
    private readonly ISynthesisOutput _session;
    private readonly HashSet<string> _tried = new(StringComparer.OrdinalIgnoreCase);
    private ExceptionDispatchInfo? _lastFailure;

    /// <summary>When waiting for a backend must end, as a timestamp; moved out by the time attempts spend on backends.</summary>
    private long _deadline;

    /// <param name="speech">What each backend is asked.</param>
    /// <param name="chunkMs">The duration of each <c>audio</c> event.</param>
    public SynthesisRun(SynthesisServices services, HttpContext context, ISynthesisOutput session, BackendRequest speech, int chunkMs)
    {
        _services = services;
        _context = context;
        _session = session;
        Speech = speech;
        ChunkMs = chunkMs;
        var time = services.Time;
        _deadline = time.GetTimestamp() + (long)(services.AdmissionOptions.MaxQueueWait.TotalSeconds * time.TimestampFrequency);
    }

    public BackendRequest Speech { get; }

    public int ChunkMs { get; }

    /// <summary>A later segment of a split long text: it queues behind other callers' new requests (<see cref="AdmissionRequest.Class"/>).</summary>
    public bool IsContinuation { get; init; }

    /// <summary>Called each time the admission queue answers an attempt (a slot, or a refusal).</summary>
    public Action? Answered { get; init; }

    /// <summary>The destination of the latest attempt.</summary>
    public string? Backend { get; private set; }

    /// <summary>The dialect of the latest attempt's destination.</summary>
    public string? Dialect { get; private set; }

    /// <summary>Attempts made so far (one per destination tried).</summary>
    public int Attempts => _tried.Count;

    int? ISpeechSynthesis.Segments => null;

    public bool CanRetry => _session.FramesWritten == 0 && _services.Slots.HasCandidate(_tried, Speech);

    public TimeSpan TimeLeft
    {
        get
        {
            var now = _services.Time.GetTimestamp();
            return now >= _deadline ? TimeSpan.Zero : _services.Time.GetElapsedTime(now, _deadline);
        }
    }

    /// <summary>Runs the attempts, retries included.</summary>
    /// <returns>The number of <c>audio</c> events sent.</returns>
    public ValueTask<long> ExecuteAsync(CancellationToken cancellationToken) => _services.Retry.ExecuteAsync(this, cancellationToken);

    /// <summary>One attempt: a slot from the admission queue, then the synthesis on that backend.</summary>
    public async ValueTask<long> AttemptAsync(CancellationToken cancellationToken)
    {
        var time = _services.Time;
        var request = new AdmissionRequest(_context, _tried, IsRetry: _tried.Count > 0, TimeLeft, Speech, IsContinuation);
        var waitStarted = time.GetTimestamp();
        Admission.Admission admitted;
        using (var wait = EdgeTracing.Source.StartActivity(EdgeTracing.QueueWait))
        {
            wait?.SetTag(EdgeTracing.Retry, request.IsRetry);
            admitted = await _services.Admission.AdmitAsync(request, _session, cancellationToken);
            Answered?.Invoke();
            wait?.SetTag(EdgeTracing.Backend, admitted.Lease?.DestinationId);
        }

        if (admitted.Lease is not { } lease)
        {
            // A retry that found no other backend in time: the client hears what went wrong on the last one.
            _lastFailure?.Throw();
            throw new AdmissionRefusedException(admitted.Refusal, admitted.RetryAfter);
        }

        _services.Metrics.QueueWaited(time.GetElapsedTime(waitStarted));
        using (lease)
        using (var attempt = EdgeTracing.Source.StartActivity(EdgeTracing.BackendAttempt))
        {
            _tried.Add(lease.DestinationId);
            Backend = lease.DestinationId;
            Dialect = lease.Dialect.Name;
            attempt?.SetTag(EdgeTracing.Backend, Backend).SetTag(EdgeTracing.Dialect, Dialect);
            var counters = _services.Statistics.For(lease.DestinationId);
            counters.Started();
            var started = time.GetTimestamp();
            try
            {
                var chunks = await BackendAttempt.RunAsync(lease, this, _session, _services, cancellationToken);
                _services.Health.Succeeded(lease.Cluster, lease.Destination);
                return chunks;
            }
            catch (BackendException failure)
            {
                // A request the backend refused as invalid is the client's mistake, not the GPU's.
                if (failure.Kind != BackendFailureKind.Rejected)
                {
                    counters.Failed();
                    _services.Metrics.BackendFailed(lease.DestinationId, failure.Kind);
                    _services.Health.Failed(lease.Cluster, lease.Destination, failure);
                }

                _lastFailure = ExceptionDispatchInfo.Capture(failure);
                attempt?.SetStatus(ActivityStatusCode.Error, failure.Kind.ToString());
                Log.AttemptFailed(_services.Logger, _session.RequestId, lease.DestinationId, failure.Kind, failure.Message);
                throw;
            }
            finally
            {
                if (_session.FirstAudioTimestamp is { } first && first >= started)
                {
                    counters.FirstAudio(time.GetElapsedTime(started, first));
                }

                // The deadline bounds waiting (queue and backoff), not time on a backend: a retry after a 30 s
                // first-audio timeout still gets the wait it is allowed.
                _deadline += time.GetTimestamp() - started;
            }
        }
    }

    public void Retrying(BackendException failure, TimeSpan delay)
    {
        _services.Metrics.Retried();
        if (Backend is { } backend)
        {
            _services.Statistics.For(backend).Retried();
        }

        Log.Retrying(_services.Logger, _session.RequestId, Backend ?? "-", delay.TotalMilliseconds, _tried.Count + 1);
    }

    private static partial class Log
    {
        [LoggerMessage(LogEvents.AttemptFailed, LogLevel.Information, "Stream {RequestId}: attempt on {Backend} failed ({Kind}): {Reason}")]
        public static partial void AttemptFailed(ILogger logger, string requestId, string backend, BackendFailureKind kind, string reason);

        [LoggerMessage(LogEvents.Retrying, LogLevel.Information, "Stream {RequestId}: retrying after {DelayMs:F0} ms on another backend than {Backend} (attempt {Attempt})")]
        public static partial void Retrying(ILogger logger, string requestId, string backend, double delayMs, int attempt);
    }
}
