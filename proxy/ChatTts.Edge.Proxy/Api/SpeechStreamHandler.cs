using System.Diagnostics;
using System.Globalization;
using ChatTts.Edge.Audio;
using ChatTts.Edge.Backends;
using ChatTts.Edge.Callers;
using ChatTts.Edge.Hosting;
using ChatTts.Edge.Observability;
using ChatTts.Edge.Quotas;
using ChatTts.Edge.Resume;
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
    StreamResumption resumption,
    EdgeMetrics metrics,
    TimeProvider time,
    IOptionsMonitor<StreamingOptions> options,
    ILogger<SpeechStreamHandler> logger)
{
    /// <summary>
    /// The edge's own SSE stream: a request with the id of an audio event of a stream still kept (<c>Last-Event-ID</c>)
    /// continues it (see <see cref="ResumeAsync"/>); any other is a new stream, recorded so it can be resumed.
    /// </summary>
    public async Task StreamAsync(HttpContext context, SpeechRequest request)
    {
        var caller = CallerContext.Get(context);
        var fingerprint = request.Fingerprint();
        var lastEventId = context.Request.Headers["Last-Event-ID"] is [{ Length: > 0 } header] ? header : request.LastEventId;
        if (lastEventId is not null && await resumption.FindAsync(lastEventId, caller.KeyId, fingerprint, context.RequestAborted) is { } point)
        {
            await ResumeAsync(context, caller, point);
            return;
        }

        using var journal = resumption.Begin(context.TraceIdentifier, caller.KeyId, fingerprint);
        await StreamAsync(context, request, (c, time, streaming) => new SseSession(c, time, streaming.StalledClientTimeout, journal?.Identity), journal);
    }

    /// <param name="open">The stream in the route's wire format; problems before it opens are the route's problem answers.</param>
    /// <param name="journal">Where the stream is recorded for resumption; null when it is not.</param>
    public async Task StreamAsync(HttpContext context, SpeechRequest request, SpeechStreamFactory open, ResumableStream? journal = null)
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
                outcome = await RunAsync(context, request, open, journal);
            }
            finally
            {
                await ticket.CompleteAsync(outcome?.Charged ?? false);
                Complete(context, caller, request, started, outcome, activity);
            }
        }
    }

    private async Task<StreamOutcome> RunAsync(HttpContext context, SpeechRequest request, SpeechStreamFactory open, ResumableStream? journal)
    {
        var aborted = context.RequestAborted;
        var streaming = options.CurrentValue;
        using var session = open(context, time, streaming);
        using var work = CancellationTokenSource.CreateLinkedTokenSource(drain.Expired);
        using var left = aborted.Register(() => ClientLeft(session, journal, work));
        // A recorded stream writes its end to the journal even after its client left (a write to a gone client fails at once).
        var writes = journal is null ? aborted : CancellationToken.None;
        var keepAlive = session.KeepAliveAsync(streaming.KeepAliveInterval, aborted);
        var run = SpeechSynthesis.Create(synthesis, context, session, request.ToBackendRequest(), request.ChunkMs, request.Split);
        string result;
        try
        {
            var chunks = await run.ExecuteAsync(work.Token);
            await StopAsync(session, keepAlive);
            await session.WriteDoneAsync(new DoneSummary(chunks, session.SamplesSent, request.Characters, session.TimeToFirstAudio ?? TimeSpan.Zero, run.Backend!, run.Segments, run.Cached), writes);
            result = "done";
        }
        catch (Exception ex) when (IsClientGone(ex, aborted))
        {
            result = ClientGone(session, run.Backend);
        }
        catch (Exception ex)
        {
            await StopAsync(session, keepAlive);
            result = await FailAsync(context, session, run.Backend, ex, writes);
        }
        finally
        {
            journal?.Dispose(); // before the synthesis' token goes: the grace period is over
            await StopAsync(session, keepAlive);
        }

        return new StreamOutcome(result, run.Backend, run.Dialect, run.Attempts, session.FramesWritten, session.TimeToFirstAudio, PcmFormat.ToMilliseconds(session.SamplesSent), run.FreeOfCharge);
    }

    /// <summary>Tells the client what went wrong: an <c>error</c> event once the stream is open, a problem before.</summary>
    /// <returns>The outcome for the log: <c>error:&lt;code&gt;</c>, <c>http_&lt;status&gt;</c>, <c>client_gone</c> or <c>client_stalled</c>.</returns>
    private async Task<string> FailAsync(HttpContext context, ISpeechStream session, string? backend, Exception exception, CancellationToken writes)
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
                await session.WriteErrorAsync(new StreamError(failure.Code, failure.Message, failure.Retryable), writes);
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

    /// <summary>
    /// The client left: the synthesis stops at once, unless the stream is recorded and the client had audio (it holds an id
    /// to resume with): then it goes on for the grace period.
    /// </summary>
    private static void ClientLeft(ISpeechStream session, ResumableStream? journal, CancellationTokenSource work)
    {
        if (journal is null || session.FramesWritten == 0)
        {
            work.Cancel();
        }
        else
        {
            journal.ClientLeft(work);
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
