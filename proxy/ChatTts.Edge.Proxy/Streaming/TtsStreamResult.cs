using ChatTts.Edge.Observability;
using ChatTts.Edge.Quotas;

namespace ChatTts.Edge.Streaming;

/// <summary>
/// The SSE stream for a validated request: charged to the caller's plan first (429 when over it), then run by
/// <see cref="TtsStreamer"/>; the quota lease is released when the stream ends, refunding the characters if no
/// audio was sent. Every stream ends with one log line saying who, where, how long and how it ended.
/// </summary>
internal sealed partial class TtsStreamResult(SpeechRequest request) : IResult
{
    public SpeechRequest Request { get; } = request;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var services = httpContext.RequestServices;
        var time = services.GetRequiredService<TimeProvider>();
        var logger = services.GetRequiredService<ILogger<TtsStreamResult>>();
        var metrics = services.GetRequiredService<EdgeMetrics>();
        var started = time.GetTimestamp();
        metrics.StreamStarted();
        var caller = CallerContext.Get(httpContext);
        var admission = await services.GetRequiredService<QuotaGate>().AdmitAsync(httpContext, caller, Request.Characters);
        if (admission.Ticket is not { } ticket)
        {
            await admission.Problem!.ExecuteAsync(httpContext);
            metrics.StreamEnded($"http_{httpContext.Response.StatusCode}", time.GetElapsedTime(started), null, 0, Request.Characters);
            Log.Completed(logger, httpContext.TraceIdentifier, caller.KeyId, $"http_{httpContext.Response.StatusCode}", "-", 0, null, time.GetElapsedTime(started).TotalMilliseconds, 0, 0, Request.Characters);
            return;
        }

        using (ticket)
        {
            StreamOutcome? outcome = null;
            try
            {
                outcome = await services.GetRequiredService<TtsStreamer>().StreamAsync(httpContext, Request);
            }
            finally
            {
                await ticket.CompleteAsync(outcome?.AudioSent ?? false);
                metrics.StreamEnded(outcome?.Result ?? "internal_error", time.GetElapsedTime(started), outcome?.TimeToFirstAudio, (outcome?.AudioMs ?? 0) / 1000, Request.Characters);
                if (outcome is { } o)
                {
                    Log.Completed(logger, httpContext.TraceIdentifier, caller.KeyId, o.Result, o.Backend ?? "-", o.Attempts,
                        o.TimeToFirstAudio?.TotalMilliseconds, time.GetElapsedTime(started).TotalMilliseconds, o.Chunks, o.AudioMs, Request.Characters);
                }
            }
        }
    }

    private static partial class Log
    {
        // The key id names the key (or cert:<CN>, anonymous:<address>); the key itself never reaches a log.
        [LoggerMessage(1, LogLevel.Information, "Stream {RequestId} by {KeyId}: {Outcome} on {Backend} after {Attempts} attempt(s); first audio {TtfaMs} ms, {DurationMs:F0} ms in all, {Chunks} chunks, {AudioMs:F0} ms of audio, {Characters} characters")]
        public static partial void Completed(ILogger logger, string requestId, string keyId, string outcome, string backend, int attempts, double? ttfaMs, double durationMs, long chunks, double audioMs, int characters);
    }
}
