using System.Net;
using System.Runtime.ExceptionServices;
using ChatTts.Edge.Admission;
using ChatTts.Edge.Audio;
using ChatTts.Edge.Backends;
using ChatTts.Edge.Backends.Health;
using ChatTts.Edge.Observability;
using ChatTts.Edge.Resilience;
using Microsoft.Extensions.Options;

namespace ChatTts.Edge.Streaming;

/// <summary>
/// Runs one synthesis end to end: takes a backend slot (waiting in the admission queue if need be), sends the
/// dialect's request, decodes the answer, frames it and streams it to the client as SSE. Failures before any
/// audio are retried on other backends; a client that goes away cancels the backend call.
/// </summary>
internal sealed partial class TtsStreamer(
    AdmissionQueue admission,
    BackendSelector backends,
    SynthesisRetry retry,
    BackendFailuresPolicy health,
    BackendStatistics statistics,
    EdgeMetrics metrics,
    ShutdownDrain drain,
    TimeProvider time,
    IOptionsMonitor<StreamingOptions> options,
    IOptionsMonitor<AdmissionOptions> admissionOptions,
    ILogger<TtsStreamer> logger)
{
    /// <returns>How the stream ended; its <see cref="StreamOutcome.AudioSent"/> says whether the characters are spent.</returns>
    public async Task<StreamOutcome> StreamAsync(HttpContext context, SpeechRequest request)
    {
        var result = "done";
        var aborted = context.RequestAborted;
        using var session = new TtsStreamSession(context, time, options.CurrentValue.StalledClientTimeout);
        using var work = CancellationTokenSource.CreateLinkedTokenSource(aborted, drain.Expired);
        var keepAlive = session.KeepAliveAsync(options.CurrentValue.KeepAliveInterval, aborted);
        var synthesis = new Synthesis(this, context, request, session, time.GetTimestamp() + (long)(admissionOptions.CurrentValue.MaxQueueWait.TotalSeconds * time.TimestampFrequency));
        try
        {
            var chunks = await retry.ExecuteAsync(synthesis, work.Token);
            await StopAsync(session, keepAlive);
            var summary = new DoneSummary(chunks, session.SamplesSent, request.Characters, session.TimeToFirstAudio ?? TimeSpan.Zero, synthesis.Backend!);
            await session.WriteDoneAsync(summary, aborted);
        }
        catch (Exception ex) when (session.ClientStalled && IsClientGone(ex, aborted))
        {
            result = "client_stalled";
            Log.ClientStalled(logger, session.RequestId, synthesis.Backend ?? "-", session.NextSeq);
        }
        catch (Exception ex) when (IsClientGone(ex, aborted))
        {
            result = "client_gone";
            Log.ClientGone(logger, session.RequestId, synthesis.Backend ?? "-", session.NextSeq);
        }
        catch (Exception ex)
        {
            await StopAsync(session, keepAlive);
            result = await FailAsync(context, session, synthesis.Backend, ex);
        }
        finally
        {
            await StopAsync(session, keepAlive);
        }

        return new StreamOutcome(result, synthesis.Backend, synthesis.Tried.Count, session.NextSeq, session.TimeToFirstAudio, PcmFormat.ToMilliseconds(session.SamplesSent));
    }

    /// <summary>One attempt: a slot from the admission queue, then the synthesis on that backend.</summary>
    private async ValueTask<long> AttemptAsync(Synthesis synthesis, CancellationToken cancellationToken)
    {
        var request = new AdmissionRequest(synthesis.Context, synthesis.Tried, IsRetry: synthesis.Tried.Count > 0, synthesis.TimeLeft, synthesis.Speech);
        var waitStarted = time.GetTimestamp();
        var admitted = await admission.AdmitAsync(request, synthesis.Session, cancellationToken);
        if (admitted.Lease is not null)
        {
            metrics.QueueWaited(time.GetElapsedTime(waitStarted));
        }

        if (admitted.Lease is not { } lease)
        {
            if (synthesis.LastFailure is { } failure)
            {
                // A retry found no other backend in time: the client hears what went wrong on the last one.
                failure.Throw();
            }

            throw new AdmissionRefusedException(admitted.Refusal, admitted.RetryAfter);
        }

        using (lease)
        {
            synthesis.Tried.Add(lease.DestinationId);
            synthesis.Backend = lease.DestinationId;
            var counters = statistics.For(lease.DestinationId);
            counters.Started();
            var started = time.GetTimestamp();
            try
            {
                var chunks = await SynthesizeAsync(lease, synthesis.Speech, synthesis.Request.ChunkMs, synthesis.Session, cancellationToken);
                health.Succeeded(lease.Cluster, lease.Destination);
                return chunks;
            }
            catch (BackendException failure)
            {
                // A request the backend refused as invalid is the client's mistake, not the GPU's.
                if (failure.Kind != BackendFailureKind.Rejected)
                {
                    counters.Failed();
                    metrics.BackendFailed(lease.DestinationId, failure.Kind);
                    health.Failed(lease.Cluster, lease.Destination, failure);
                }

                synthesis.LastFailure = ExceptionDispatchInfo.Capture(failure);
                Log.AttemptFailed(logger, synthesis.Session.RequestId, lease.DestinationId, failure.Kind, failure.Message);
                throw;
            }
            finally
            {
                if (synthesis.Session.FirstAudioTimestamp is { } first && first >= started)
                {
                    counters.FirstAudio(time.GetElapsedTime(started, first));
                }

                // The deadline bounds waiting (queue and backoff), not time on a backend: a retry after a 30 s
                // first-audio timeout still gets the wait it is allowed.
                synthesis.Deadline += time.GetTimestamp() - started;
            }
        }
    }

    /// <summary>Tells the client what went wrong: an <c>error</c> event once the stream is open, a problem before.</summary>
    /// <returns>The outcome for the log: <c>error:&lt;code&gt;</c>, <c>http_&lt;status&gt;</c> or <c>client_gone</c>.</returns>
    private async Task<string> FailAsync(HttpContext context, TtsStreamSession session, string? backend, Exception exception)
    {
        var aborted = context.RequestAborted;
        StreamError error;
        IResult problem;
        switch (exception)
        {
            case BackendException failure:
                Log.BackendFailed(logger, session.RequestId, backend ?? "-", failure.Kind, session.IsOpen, failure.Message);
                error = new StreamError(ErrorCode(failure), failure.Message, failure.IsTransient);
                problem = StreamProblems.BackendFailed(failure);
                break;
            case AdmissionRefusedException refused:
                Log.Refused(logger, session.RequestId, refused.Refusal);
                error = new StreamError(ErrorCode(refused.Refusal), StreamProblems.Describe(refused.Refusal), Retryable: true);
                problem = StreamProblems.Refused(refused.Refusal, refused.RetryAfter);
                break;
            case OperationCanceledException when drain.Expired.IsCancellationRequested:
                Log.DrainEnded(logger, session.RequestId, backend ?? "-", session.NextSeq);
                error = new StreamError("shutting_down", StreamProblems.Describe(AdmissionRefusal.ShuttingDown), Retryable: true);
                problem = StreamProblems.Refused(AdmissionRefusal.ShuttingDown, AdmissionDefaults.MinRetryAfter);
                break;
            default:
                Log.UnexpectedFailure(logger, exception, session.RequestId, backend ?? "-");
                error = new StreamError("internal_error", "the edge failed while streaming; retry the request", Retryable: true);
                problem = StreamProblems.Internal();
                break;
        }

        try
        {
            if (session.IsOpen)
            {
                await session.WriteErrorAsync(error, aborted);
                return "error:" + error.Code;
            }

            await problem.ExecuteAsync(context);
            return "http_" + context.Response.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (IsClientGone(ex, aborted))
        {
            Log.ClientGone(logger, session.RequestId, backend ?? "-", session.NextSeq);
            return "client_gone";
        }
    }

    private static bool IsClientGone(Exception exception, CancellationToken aborted) =>
        exception is ClientGoneException || (exception is OperationCanceledException && aborted.IsCancellationRequested);

    /// <returns>The number of <c>audio</c> events sent.</returns>
    private async Task<long> SynthesizeAsync(BackendLease lease, BackendRequest speech, int chunkMs, TtsStreamSession session, CancellationToken cancellationToken)
    {
        var streaming = options.CurrentValue;
        var firstSeq = session.NextSeq;
        var limits = new BackendLimits(streaming.MaxBackendEventBytes, (long)(streaming.MaxAudioDuration.TotalSeconds * PcmFormat.BytesPerSecond));
        using var framer = new PcmFramer(chunkMs * PcmFormat.SamplesPerMillisecond, session);
        using var watchdog = new AudioWatchdog(framer, streaming.FirstAudioTimeout, streaming.IdleTimeout, time, cancellationToken);
        var call = lease.Call(speech, watchdog, limits, watchdog.Token);
        try
        {
            try
            {
                await call.WaitAsync(watchdog.Token);
            }
            catch (OperationCanceledException) when (watchdog.TimedOut(cancellationToken) is { } timeout)
            {
                throw timeout;
            }
            catch (BackendException) when (session.NextSeq > firstSeq && !cancellationToken.IsCancellationRequested)
            {
                // Audio already went out, so this stream cannot start over elsewhere: the client gets every whole
                // sample received before the error event.
                await call.DetachAsync();
                await framer.CompleteAsync(cancellationToken);
                throw;
            }

            await framer.CompleteAsync(cancellationToken);
        }
        finally
        {
            // The framer and the watchdog end with this attempt; an abandoned call reads on without them (the lease
            // keeps its GPU slot until the backend is done).
            await call.DetachAsync();
        }

        if (session.NextSeq == firstSeq)
        {
            throw new BackendException(BackendFailureKind.Protocol, "the backend finished without sending any audio");
        }

        if (framer.DroppedBytes > 0)
        {
            Log.HalfSampleDropped(logger, session.RequestId, lease.DestinationId);
        }

        return session.NextSeq - firstSeq;
    }

    private static string ErrorCode(BackendException ex) => ex switch
    {
        { Kind: BackendFailureKind.Rejected } => "invalid_request",
        { StatusCode: HttpStatusCode.ServiceUnavailable or HttpStatusCode.TooManyRequests } => "backend_busy",
        { Kind: BackendFailureKind.Status } => "backend_error",
        { Kind: BackendFailureKind.Connection } => "backend_unreachable",
        { Kind: BackendFailureKind.Interrupted } => "backend_interrupted",
        { Kind: BackendFailureKind.Timeout } => "backend_timeout",
        _ => "backend_protocol",
    };

    private static string ErrorCode(AdmissionRefusal refusal) => refusal switch
    {
        AdmissionRefusal.QueueFull => "queue_full",
        AdmissionRefusal.Timeout => "queue_timeout",
        AdmissionRefusal.ShuttingDown => "shutting_down",
        _ => "no_backend",
    };

    private static async Task StopAsync(TtsStreamSession session, Task keepAlive)
    {
        session.StopKeepAlive();
        await keepAlive;
    }

    private bool HasUntriedBackend(IReadOnlySet<string> tried, BackendRequest speech) => backends.HasCandidate(tried, speech);

    private TimeSpan TimeUntil(long deadline)
    {
        var now = time.GetTimestamp();
        return now >= deadline ? TimeSpan.Zero : time.GetElapsedTime(now, deadline);
    }

    private void Retrying(Synthesis synthesis, TimeSpan delay)
    {
        metrics.Retried();
        if (synthesis.Backend is { } backend)
        {
            statistics.For(backend).Retried();
        }

        Log.Retrying(logger, synthesis.Session.RequestId, synthesis.Backend ?? "-", delay.TotalMilliseconds, synthesis.Tried.Count + 1);
    }

    /// <summary>One request's attempts, as the retry policy sees them.</summary>
    private sealed class Synthesis(TtsStreamer owner, HttpContext context, SpeechRequest request, TtsStreamSession session, long deadline) : IRetryableSynthesis
    {
        /// <summary>When waiting for a backend must end, as a timestamp; moved out by the time attempts spend on backends.</summary>
        public long Deadline { get; set; } = deadline;

        public HttpContext Context { get; } = context;

        public SpeechRequest Request { get; } = request;

        /// <summary>What each backend is asked.</summary>
        public BackendRequest Speech { get; } = request.ToBackendRequest();

        public TtsStreamSession Session { get; } = session;

        /// <summary>Destinations tried so far.</summary>
        public HashSet<string> Tried { get; } = new(StringComparer.OrdinalIgnoreCase);

        /// <summary>The destination of the latest attempt.</summary>
        public string? Backend { get; set; }

        public ExceptionDispatchInfo? LastFailure { get; set; }

        public bool CanRetry => Session.NextSeq == 0 && owner.HasUntriedBackend(Tried, Speech);

        public TimeSpan TimeLeft => owner.TimeUntil(Deadline);

        public ValueTask<long> AttemptAsync(CancellationToken cancellationToken) => owner.AttemptAsync(this, cancellationToken);

        public void Retrying(BackendException failure, TimeSpan delay) => owner.Retrying(this, delay);
    }

    private static partial class Log
    {
        [LoggerMessage(2, LogLevel.Debug, "Stream {RequestId} on {Backend}: the client went away after {Chunks} chunks")]
        public static partial void ClientGone(ILogger logger, string requestId, string backend, long chunks);

        [LoggerMessage(10, LogLevel.Warning, "Stream {RequestId} on {Backend}: the client stopped reading after {Chunks} chunks; its connection was closed")]
        public static partial void ClientStalled(ILogger logger, string requestId, string backend, long chunks);

        [LoggerMessage(3, LogLevel.Warning, "Stream {RequestId} on {Backend} failed ({Kind}, stream open: {Open}): {Reason}")]
        public static partial void BackendFailed(ILogger logger, string requestId, string backend, BackendFailureKind kind, bool open, string reason);

        [LoggerMessage(4, LogLevel.Warning, "Stream {RequestId} refused: {Refusal}")]
        public static partial void Refused(ILogger logger, string requestId, AdmissionRefusal refusal);

        [LoggerMessage(5, LogLevel.Debug, "Stream {RequestId}: {Backend} sent an odd number of PCM bytes; the trailing half sample was dropped")]
        public static partial void HalfSampleDropped(ILogger logger, string requestId, string backend);

        [LoggerMessage(6, LogLevel.Error, "Stream {RequestId} on {Backend} failed unexpectedly")]
        public static partial void UnexpectedFailure(ILogger logger, Exception exception, string requestId, string backend);

        [LoggerMessage(7, LogLevel.Information, "Stream {RequestId}: attempt on {Backend} failed ({Kind}): {Reason}")]
        public static partial void AttemptFailed(ILogger logger, string requestId, string backend, BackendFailureKind kind, string reason);

        [LoggerMessage(8, LogLevel.Information, "Stream {RequestId}: retrying after {DelayMs:F0} ms on another backend than {Backend} (attempt {Attempt})")]
        public static partial void Retrying(ILogger logger, string requestId, string backend, double delayMs, int attempt);

        [LoggerMessage(9, LogLevel.Warning, "Stream {RequestId} on {Backend} ended by the drain timeout after {Chunks} chunks")]
        public static partial void DrainEnded(ILogger logger, string requestId, string backend, long chunks);
    }
}

/// <summary>How a stream ended, for the caller's quota and the completion log line.</summary>
/// <param name="Result"><c>done</c>, <c>error:&lt;code&gt;</c>, <c>http_&lt;status&gt;</c> or <c>client_gone</c>.</param>
internal sealed record StreamOutcome(string Result, string? Backend, int Attempts, long Chunks, TimeSpan? TimeToFirstAudio, double AudioMs)
{
    public bool AudioSent => Chunks > 0;
}

/// <summary>The admission queue gave a request no backend.</summary>
internal sealed class AdmissionRefusedException : Exception
{
    public AdmissionRefusedException()
    {
    }

    public AdmissionRefusedException(string message)
        : base(message)
    {
    }

    public AdmissionRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public AdmissionRefusedException(AdmissionRefusal refusal, TimeSpan retryAfter)
        : base($"Admission refused: {refusal}")
    {
        Refusal = refusal;
        RetryAfter = retryAfter;
    }

    public AdmissionRefusal Refusal { get; }

    public TimeSpan RetryAfter { get; }
}
