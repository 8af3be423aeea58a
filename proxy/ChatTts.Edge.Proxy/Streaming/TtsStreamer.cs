using System.Net;
using System.Text.Json;
using ChatTts.Edge.Audio;
using ChatTts.Edge.Backends;
using Microsoft.Extensions.Options;

namespace ChatTts.Edge.Streaming;

/// <summary>
/// Runs one synthesis end to end: reserves a backend, sends the dialect's request, decodes the answer,
/// frames it and streams it to the client as SSE. A client that goes away cancels the backend call.
/// </summary>
internal sealed partial class TtsStreamer(
    BackendSelector backends,
    TimeProvider time,
    IOptionsMonitor<StreamingOptions> options,
    ILogger<TtsStreamer> logger)
{
    public async Task StreamAsync(HttpContext context, SpeechRequest request)
    {
        var aborted = context.RequestAborted;
        using var session = new TtsStreamSession(context, time);

        using var lease = backends.TryAcquire(context);
        if (lease is null)
        {
            Log.NoBackend(logger, session.RequestId);
            await StreamProblems.NoBackend().ExecuteAsync(context);
            return;
        }

        using var keepAliveStop = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        var keepAlive = session.KeepAliveAsync(options.CurrentValue.KeepAliveInterval, keepAliveStop.Token);
        try
        {
            var chunks = await SynthesizeAsync(lease, request, session, aborted);
            await StopAsync(keepAliveStop, keepAlive);
            var summary = new DoneSummary(chunks, session.SamplesSent, request.Characters, session.TimeToFirstAudio ?? TimeSpan.Zero, lease.DestinationId);
            await session.WriteDoneAsync(summary, aborted);
            Log.StreamCompleted(logger, session.RequestId, lease.DestinationId, chunks, summary.TimeToFirstAudio.TotalMilliseconds, PcmFormat.ToMilliseconds(summary.Samples));
        }
        catch (Exception ex) when (IsClientGone(ex, aborted))
        {
            Log.ClientGone(logger, session.RequestId, lease.DestinationId, session.NextSeq);
        }
        catch (Exception ex)
        {
            await StopAsync(keepAliveStop, keepAlive);
            await FailAsync(context, session, lease, ex);
        }
        finally
        {
            await StopAsync(keepAliveStop, keepAlive);
        }
    }

    /// <summary>Tells the client what went wrong: an <c>error</c> event once the stream is open, a problem before.</summary>
    private async Task FailAsync(HttpContext context, TtsStreamSession session, BackendLease lease, Exception exception)
    {
        var aborted = context.RequestAborted;
        StreamError error;
        IResult problem;
        if (exception is BackendException failure)
        {
            Log.BackendFailed(logger, session.RequestId, lease.DestinationId, failure.Kind, session.IsOpen, failure.Message);
            error = new StreamError(ErrorCode(failure), failure.Message, failure.IsTransient);
            problem = StreamProblems.BackendFailed(failure);
        }
        else
        {
            Log.UnexpectedFailure(logger, exception, session.RequestId, lease.DestinationId);
            error = new StreamError("internal_error", "the edge failed while streaming; retry the request", Retryable: true);
            problem = StreamProblems.Internal();
        }

        try
        {
            if (session.IsOpen)
            {
                await session.WriteErrorAsync(error, aborted);
            }
            else
            {
                await problem.ExecuteAsync(context);
            }
        }
        catch (Exception ex) when (IsClientGone(ex, aborted))
        {
            Log.ClientGone(logger, session.RequestId, lease.DestinationId, session.NextSeq);
        }
    }

    private static bool IsClientGone(Exception exception, CancellationToken aborted) =>
        exception is ClientGoneException || (exception is OperationCanceledException && aborted.IsCancellationRequested);

    /// <returns>The number of <c>audio</c> events sent.</returns>
    private async Task<long> SynthesizeAsync(BackendLease lease, SpeechRequest request, TtsStreamSession session, CancellationToken cancellationToken)
    {
        var streaming = options.CurrentValue;
        var firstSeq = session.NextSeq;
        using var framer = new PcmFramer(request.ChunkMs * PcmFormat.SamplesPerMillisecond, session);
        using var watchdog = new AudioWatchdog(framer, streaming.FirstAudioTimeout, streaming.IdleTimeout, time, cancellationToken);
        using var backendRequest = lease.Dialect.CreateRequest(lease.Address, request);
        var responded = false;
        try
        {
            using var response = await lease.SendAsync(backendRequest, watchdog.Token);
            responded = true;
            if (!response.IsSuccessStatusCode)
            {
                throw StatusFailure(response);
            }

            await lease.Dialect.ReadAudioAsync(response, watchdog, watchdog.Token);
            await framer.CompleteAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not BackendException && watchdog.TimedOut(cancellationToken) is { } timeout)
        {
            throw timeout;
        }
        catch (HttpRequestException ex) when (!responded && !cancellationToken.IsCancellationRequested)
        {
            throw new BackendException(BackendFailureKind.Connection, "the backend could not be reached", ex);
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
        {
            throw new BackendException(BackendFailureKind.Interrupted, "the backend's audio stream broke off", ex);
        }
        catch (JsonException ex)
        {
            throw new BackendException(BackendFailureKind.Protocol, "the backend sent malformed JSON", ex);
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

    private BackendException StatusFailure(HttpResponseMessage response)
    {
        var retryAfter = response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - time.GetUtcNow(),
            _ => (TimeSpan?)null,
        };
        return new BackendException(BackendFailureKind.Status, $"the backend answered {(int)response.StatusCode} {response.ReasonPhrase}")
        {
            StatusCode = response.StatusCode,
            RetryAfter = retryAfter > TimeSpan.Zero ? retryAfter : null,
        };
    }

    private static string ErrorCode(BackendException ex) => ex switch
    {
        { StatusCode: HttpStatusCode.ServiceUnavailable or HttpStatusCode.TooManyRequests } => "backend_busy",
        { Kind: BackendFailureKind.Status } => "backend_error",
        { Kind: BackendFailureKind.Connection } => "backend_unreachable",
        { Kind: BackendFailureKind.Interrupted } => "backend_interrupted",
        { Kind: BackendFailureKind.Timeout } => "backend_timeout",
        _ => "backend_protocol",
    };

    private static async Task StopAsync(CancellationTokenSource stop, Task keepAlive)
    {
        await stop.CancelAsync();
        await keepAlive;
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Stream {RequestId} done on {Backend}: {Chunks} chunks, first audio after {TtfaMs:F0} ms, {AudioMs:F0} ms of audio")]
        public static partial void StreamCompleted(ILogger logger, string requestId, string backend, long chunks, double ttfaMs, double audioMs);

        [LoggerMessage(2, LogLevel.Information, "Stream {RequestId} on {Backend}: the client went away after {Chunks} chunks")]
        public static partial void ClientGone(ILogger logger, string requestId, string backend, long chunks);

        [LoggerMessage(3, LogLevel.Warning, "Stream {RequestId} on {Backend} failed ({Kind}, stream open: {Open}): {Reason}")]
        public static partial void BackendFailed(ILogger logger, string requestId, string backend, BackendFailureKind kind, bool open, string reason);

        [LoggerMessage(4, LogLevel.Warning, "Stream {RequestId}: no ChatTTS backend is available")]
        public static partial void NoBackend(ILogger logger, string requestId);

        [LoggerMessage(6, LogLevel.Error, "Stream {RequestId} on {Backend} failed unexpectedly")]
        public static partial void UnexpectedFailure(ILogger logger, Exception exception, string requestId, string backend);

        [LoggerMessage(5, LogLevel.Debug, "Stream {RequestId}: {Backend} sent an odd number of PCM bytes; the trailing half sample was dropped")]
        public static partial void HalfSampleDropped(ILogger logger, string requestId, string backend);
    }
}
