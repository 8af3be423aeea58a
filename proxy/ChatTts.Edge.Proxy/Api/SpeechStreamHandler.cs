using System.Diagnostics;
using System.Globalization;
using ChatTts.Edge.Audio;
using ChatTts.Edge.Backends;
using ChatTts.Edge.Callers;
using ChatTts.Edge.Hosting;
using ChatTts.Edge.Observability;
using ChatTts.Edge.Quotas;
using ChatTts.Edge.Streaming;
using ChatTts.Edge.Synthesis;
using Microsoft.Extensions.Options;

namespace ChatTts.Edge.Api;

/// <summary>
/// The SSE stream of a validated request: charged to the caller's plan (429 when over it), synthesized by a
/// <see cref="SynthesisRun"/> (a long text split by sentence: a <see cref="SegmentedSynthesis"/>) into the route's
/// <see cref="ISpeechStream"/> (an <see cref="SseSession"/> by default), ended with <c>done</c> or with the failure's answer from
/// <see cref="StreamFailures"/>. The quota lease is released when the stream ends, refunding the characters if no audio
/// was sent. Every stream ends with one log line saying who, where, how long and how it ended.
/// </summary>
internal sealed partial class SpeechStreamHandler(
    QuotaGate quotas,
    SynthesisServices synthesis,
    ShutdownDrain drain,
    EdgeMetrics metrics,
    TimeProvider time,
    IOptionsMonitor<StreamingOptions> options,
    ILogger<SpeechStreamHandler> logger)
{
    public Task StreamAsync(HttpContext context, SpeechRequest request) =>
        StreamAsync(context, request, static (c, time, streaming) => new SseSession(c, time, streaming.StalledClientTimeout));

    /// <param name="open">The stream in the route's wire format; problems before it opens are the route's problem answers.</param>
    public async Task StreamAsync(HttpContext context, SpeechRequest request, SpeechStreamFactory open)
    {
        var started = time.GetTimestamp();
        metrics.StreamStarted();
        var caller = CallerContext.Get(context);
        using var activity = EdgeTracing.Source.StartActivity(EdgeTracing.Stream);
        activity?.SetTag(EdgeTracing.RequestId, context.TraceIdentifier).SetTag(EdgeTracing.KeyId, caller.KeyId);
        var admission = await quotas.AdmitAsync(caller, request.Characters, context.TraceIdentifier, context.RequestAborted);
        QuotaAnswers.WriteHeaders(context.Response, admission);
        if (admission.Ticket is not { } ticket)
        {
            await QuotaAnswers.Refusal(admission).ExecuteAsync(context);
            Complete(context, caller, request, started, new StreamOutcome(HttpOutcome(context), null, null, 0, 0, null, 0), activity);
            return;
        }

        using (ticket)
        {
            StreamOutcome? outcome = null;
            try
            {
                outcome = await RunAsync(context, request, open);
            }
            finally
            {
                await ticket.CompleteAsync(outcome?.Charged ?? false);
                Complete(context, caller, request, started, outcome, activity);
            }
        }
    }

    private async Task<StreamOutcome> RunAsync(HttpContext context, SpeechRequest request, SpeechStreamFactory open)
    {
        var aborted = context.RequestAborted;
        var streaming = options.CurrentValue;
        using var session = open(context, time, streaming);
        using var work = CancellationTokenSource.CreateLinkedTokenSource(aborted, drain.Expired);
        var keepAlive = session.KeepAliveAsync(streaming.KeepAliveInterval, aborted);
        var run = SpeechSynthesis.Create(synthesis, context, session, request.ToBackendRequest(), request.ChunkMs, request.Split);
        string result;
        try
        {
            var chunks = await run.ExecuteAsync(work.Token);
            await StopAsync(session, keepAlive);
            await session.WriteDoneAsync(new DoneSummary(chunks, session.SamplesSent, request.Characters, session.TimeToFirstAudio ?? TimeSpan.Zero, run.Backend!, run.Segments, run.Cached), aborted);
            result = "done";
        }
        catch (Exception ex) when (IsClientGone(ex, aborted))
        {
            result = ClientGone(session, run.Backend);
        }
        catch (Exception ex)
        {
            await StopAsync(session, keepAlive);
            result = await FailAsync(context, session, run.Backend, ex);
        }
        finally
        {
            await StopAsync(session, keepAlive);
        }

        return new StreamOutcome(result, run.Backend, run.Dialect, run.Attempts, session.FramesWritten, session.TimeToFirstAudio, PcmFormat.ToMilliseconds(session.SamplesSent), run.FreeOfCharge);
    }

    /// <summary>Tells the client what went wrong: an <c>error</c> event once the stream is open, a problem before.</summary>
    /// <returns>The outcome for the log: <c>error:&lt;code&gt;</c>, <c>http_&lt;status&gt;</c>, <c>client_gone</c> or <c>client_stalled</c>.</returns>
    private async Task<string> FailAsync(HttpContext context, ISpeechStream session, string? backend, Exception exception)
    {
        var draining = exception is OperationCanceledException && drain.Expired.IsCancellationRequested;
        var failure = draining ? StreamFailures.ShuttingDown : StreamFailures.Describe(exception);
        switch (exception)
        {
            case BackendException backendFailure:
                Log.BackendFailed(logger, session.RequestId, backend ?? "-", backendFailure.Kind, session.IsOpen, backendFailure.Message);
                break;
            case Admission.AdmissionRefusedException refused:
                Log.Refused(logger, session.RequestId, refused.Refusal);
                break;
            case OperationCanceledException when draining:
                Log.DrainEnded(logger, session.RequestId, backend ?? "-", session.FramesWritten);
                break;
            default:
                Log.UnexpectedFailure(logger, exception, session.RequestId, backend ?? "-");
                break;
        }

        try
        {
            if (session.IsOpen)
            {
                await session.WriteErrorAsync(new StreamError(failure.Code, failure.Message, failure.Retryable), context.RequestAborted);
                return "error:" + failure.Code;
            }

            await failure.Problem().ExecuteAsync(context);
            return HttpOutcome(context);
        }
        catch (Exception ex) when (IsClientGone(ex, context.RequestAborted))
        {
            return ClientGone(session, backend);
        }
    }

    private string ClientGone(ISpeechStream session, string? backend)
    {
        if (session.ClientStalled)
        {
            Log.ClientStalled(logger, session.RequestId, backend ?? "-", session.FramesWritten);
            return "client_stalled";
        }

        Log.ClientGone(logger, session.RequestId, backend ?? "-", session.FramesWritten);
        return "client_gone";
    }

    private void Complete(HttpContext context, Caller caller, SpeechRequest request, long started, StreamOutcome? outcome, Activity? activity)
    {
        var duration = time.GetElapsedTime(started);
        var result = outcome?.Result ?? "internal_error";
        metrics.StreamEnded(result, duration, outcome?.TimeToFirstAudio, (outcome?.AudioMs ?? 0) / 1000, request.Characters);
        if (activity is not null)
        {
            activity.SetTag(EdgeTracing.Outcome, result).SetTag(EdgeTracing.Backend, outcome?.Backend).SetTag(EdgeTracing.Dialect, outcome?.Dialect)
                .SetTag(EdgeTracing.Attempts, outcome?.Attempts ?? 0).SetTag(EdgeTracing.TimeToFirstAudioMs, outcome?.TimeToFirstAudio?.TotalMilliseconds);
            if (outcome is not { Result: "done" or "client_gone" or "client_stalled" } && context.Response.StatusCode is not (>= 400 and < 500))
            {
                activity.SetStatus(ActivityStatusCode.Error, result);
            }
        }

        if (outcome is { } o)
        {
            Log.Completed(logger, context.TraceIdentifier, caller.KeyId, o.Result, o.Backend ?? "-", o.Attempts,
                o.TimeToFirstAudio?.TotalMilliseconds, duration.TotalMilliseconds, o.Chunks, o.AudioMs, request.Characters);
        }
    }

    private static string HttpOutcome(HttpContext context) => "http_" + context.Response.StatusCode.ToString(CultureInfo.InvariantCulture);

    private static bool IsClientGone(Exception exception, CancellationToken aborted) =>
        exception is ClientGoneException || (exception is OperationCanceledException && aborted.IsCancellationRequested);

    private static async Task StopAsync(ISpeechStream session, Task keepAlive)
    {
        session.StopKeepAlive();
        await keepAlive;
    }

    private static partial class Log
    {
        // The key id names the key (or cert:<CN>, anonymous:<address>); the key itself never reaches a log.
        [LoggerMessage(LogEvents.StreamCompleted, LogLevel.Information, "Stream {RequestId} by {KeyId}: {Outcome} on {Backend} after {Attempts} attempt(s); first audio {TtfaMs} ms, {DurationMs:F0} ms in all, {Chunks} chunks, {AudioMs:F0} ms of audio, {Characters} characters")]
        public static partial void Completed(ILogger logger, string requestId, string keyId, string outcome, string backend, int attempts, double? ttfaMs, double durationMs, long chunks, double audioMs, int characters);

        [LoggerMessage(LogEvents.ClientGone, LogLevel.Debug, "Stream {RequestId} on {Backend}: the client went away after {Chunks} chunks")]
        public static partial void ClientGone(ILogger logger, string requestId, string backend, long chunks);

        [LoggerMessage(LogEvents.ClientStalled, LogLevel.Warning, "Stream {RequestId} on {Backend}: the client stopped reading after {Chunks} chunks; its connection was closed")]
        public static partial void ClientStalled(ILogger logger, string requestId, string backend, long chunks);

        [LoggerMessage(LogEvents.StreamFailed, LogLevel.Warning, "Stream {RequestId} on {Backend} failed ({Kind}, stream open: {Open}): {Reason}")]
        public static partial void BackendFailed(ILogger logger, string requestId, string backend, BackendFailureKind kind, bool open, string reason);

        [LoggerMessage(LogEvents.StreamRefused, LogLevel.Warning, "Stream {RequestId} refused: {Refusal}")]
        public static partial void Refused(ILogger logger, string requestId, Admission.AdmissionRefusal refusal);

        [LoggerMessage(LogEvents.UnexpectedFailure, LogLevel.Error, "Stream {RequestId} on {Backend} failed unexpectedly")]
        public static partial void UnexpectedFailure(ILogger logger, Exception exception, string requestId, string backend);

        [LoggerMessage(LogEvents.DrainEnded, LogLevel.Warning, "Stream {RequestId} on {Backend} ended by the drain timeout after {Chunks} chunks")]
        public static partial void DrainEnded(ILogger logger, string requestId, string backend, long chunks);
    }
}

/// <summary>Opens the client's stream of one request in its route's wire format.</summary>
internal delegate ISpeechStream SpeechStreamFactory(HttpContext context, TimeProvider time, StreamingOptions streaming);

/// <summary>How a stream ended, for the caller's quota, the metrics and the completion log line.</summary>
/// <param name="Result"><c>done</c>, <c>error:&lt;code&gt;</c>, <c>http_&lt;status&gt;</c>, <c>client_gone</c> or <c>client_stalled</c>.</param>
/// <param name="FreeOfCharge">A replay the caller is not charged for (<c>Edge:Cache:ChargeCharacters</c> false).</param>
internal sealed record StreamOutcome(string Result, string? Backend, string? Dialect, int Attempts, long Chunks, TimeSpan? TimeToFirstAudio, double AudioMs, bool FreeOfCharge = false)
{
    public bool AudioSent => Chunks > 0;

    /// <summary>Whether the caller keeps paying the request's characters: audio went out, and not as a free replay.</summary>
    public bool Charged => AudioSent && !FreeOfCharge;
}
