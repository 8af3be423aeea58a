using ChatTts.Edge.Callers;
using ChatTts.Edge.Resume;
using ChatTts.Edge.Streaming;

namespace ChatTts.Edge.Api;

/// <summary>Resumed streams: the events after the client's last one, from the journal and then live.</summary>
internal sealed partial class SpeechStreamHandler
{
    /// <summary>
    /// Continues the stream of <paramref name="point"/>: <c>meta</c> again (the original <c>request_id</c>, <c>resumed_from</c>),
    /// then its events after the client's last one, recorded and live, to its end. No synthesis and no charge: the request
    /// that started the stream pays for it. A journal whose events stop coming ends with a retryable <c>resume_lost</c>.
    /// </summary>
    private async Task ResumeAsync(HttpContext context, Caller caller, ResumePoint point)
    {
        var started = time.GetTimestamp();
        var aborted = context.RequestAborted;
        var streaming = options.CurrentValue;
        using var session = new SseSession(context, time, streaming.StalledClientTimeout,
            new SseStreamIdentity(point.Stream, point.RequestId, point.LastEventId, resumption.RetryMilliseconds));
        var keepAlive = session.KeepAliveAsync(streaming.KeepAliveInterval, aborted);
        long replayed = 0;
        var result = "done";
        try
        {
            await session.StartAsync(aborted);
            await foreach (var recorded in resumption.ReadAsync(point, aborted))
            {
                await session.ReplayAsync(recorded, aborted);
                replayed += recorded.Kind == RecordedEventKind.Audio ? 1 : 0;
                result = recorded.Kind == RecordedEventKind.Error ? "error" : "done";
            }
        }
        catch (ResumeLostException)
        {
            await StopAsync(session, keepAlive);
            var lost = StreamFailures.ResumeLost;
            result = "error:" + lost.Code;
            try
            {
                await session.WriteErrorAsync(new StreamError(lost.Code, lost.Message, lost.Retryable), aborted);
            }
            catch (Exception ex) when (IsClientGone(ex, aborted))
            {
                result = "client_gone";
            }
        }
        catch (Exception ex) when (IsClientGone(ex, aborted))
        {
            result = session.ClientStalled ? "client_stalled" : "client_gone";
        }
        finally
        {
            await StopAsync(session, keepAlive);
        }

        Log.Resumed(logger, context.TraceIdentifier, caller.KeyId, point.RequestId, point.LastEventId, result, replayed, time.GetElapsedTime(started).TotalMilliseconds);
    }
}
