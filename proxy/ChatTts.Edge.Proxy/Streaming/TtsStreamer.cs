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
    private static readonly TimeSpan NoBackendRetryAfter = TimeSpan.FromSeconds(2);

    public async Task StreamAsync(HttpContext context, SpeechRequest request)
    {
        var aborted = context.RequestAborted;
        using var session = new TtsStreamSession(context, time);
        context.Response.Headers[EdgeHeaders.RequestId] = session.RequestId;

        using var lease = backends.TryAcquire(context);
        if (lease is null)
        {
            Log.NoBackend(logger, session.RequestId);
            await StreamProblems.NoBackend(NoBackendRetryAfter).ExecuteAsync(context);
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
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            Log.ClientGone(logger, session.RequestId, lease.DestinationId, session.NextSeq);
        }
        catch (BackendException ex)
        {
            await StopAsync(keepAliveStop, keepAlive);
            Log.BackendFailed(logger, session.RequestId, lease.DestinationId, ex.Kind, session.IsOpen, ex.Message);
            if (session.IsOpen)
            {
                await session.WriteErrorAsync(new StreamError(ErrorCode(ex), ex.Message, ex.IsTransient), aborted);
            }
            else
            {
                await StreamProblems.BackendFailed(ex).ExecuteAsync(context);
            }
        }
        finally
        {
            await StopAsync(keepAliveStop, keepAlive);
        }
    }

    /// <returns>The number of <c>audio</c> events sent.</returns>
    private async Task<long> SynthesizeAsync(BackendLease lease, SpeechRequest request, TtsStreamSession session, CancellationToken cancellationToken)
    {
        using var backendRequest = lease.Dialect.CreateRequest(lease.Address, request);
        HttpResponseMessage response;
        try
        {
            response = await lease.SendAsync(backendRequest, cancellationToken);
        }
        catch (HttpRequestException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new BackendException(BackendFailureKind.Connection, "the backend could not be reached", ex);
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw StatusFailure(response);
            }

            var firstSeq = session.NextSeq;
            using var framer = new PcmFramer(request.ChunkMs * PcmFormat.SamplesPerMillisecond, session);
            try
            {
                await lease.Dialect.ReadAudioAsync(response, framer, cancellationToken);
                await framer.CompleteAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
            {
                throw new BackendException(BackendFailureKind.Interrupted, "the backend's audio stream broke off", ex);
            }
            catch (JsonException ex)
            {
                throw new BackendException(BackendFailureKind.Protocol, "the backend sent malformed JSON", ex);
            }

            if (framer.ReceivedBytes == 0)
            {
                throw new BackendException(BackendFailureKind.Protocol, "the backend finished without sending any audio");
            }

            if (framer.DroppedBytes > 0)
            {
                Log.HalfSampleDropped(logger, session.RequestId, lease.DestinationId);
            }

            return session.NextSeq - firstSeq;
        }
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

        [LoggerMessage(5, LogLevel.Debug, "Stream {RequestId}: {Backend} sent an odd number of PCM bytes; the trailing half sample was dropped")]
        public static partial void HalfSampleDropped(ILogger logger, string requestId, string backend);
    }
}
