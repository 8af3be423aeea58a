using ChatTts.Edge.Audio;
using ChatTts.Edge.Backends;
using ChatTts.Edge.Hosting;
using ChatTts.Edge.Streaming;

namespace ChatTts.Edge.Synthesis;

/// <summary>
/// The audio path of one attempt: the backend call's PCM goes through the watchdog (no progress, no slot) and the framer
/// (fixed-duration frames of whole samples) into the request's output, on the thread that read it.
/// </summary>
internal static partial class BackendAttempt
{
    /// <returns>The number of <c>audio</c> events sent.</returns>
    public static async Task<long> RunAsync(BackendLease lease, SynthesisRun run, ISynthesisOutput session, SynthesisServices services, CancellationToken cancellationToken)
    {
        var streaming = services.Streaming;
        var firstSeq = session.FramesWritten;
        var limits = new BackendLimits(streaming.MaxBackendEventBytes, (long)(streaming.MaxAudioDuration.TotalSeconds * PcmFormat.BytesPerSecond));
        using var framer = new PcmFramer(run.ChunkMs * PcmFormat.SamplesPerMillisecond, session);
        using var watchdog = new AudioWatchdog(framer, streaming.FirstAudioTimeout, streaming.IdleTimeout, services.Time, cancellationToken);
        var call = lease.Call(run.Speech, watchdog, limits, watchdog.Token);
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
            catch (BackendException) when (session.FramesWritten > firstSeq && !cancellationToken.IsCancellationRequested)
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

        if (session.FramesWritten == firstSeq)
        {
            throw new BackendException(BackendFailureKind.Protocol, "the backend finished without sending any audio");
        }

        if (framer.DroppedBytes > 0)
        {
            Log.HalfSampleDropped(services.Logger, session.RequestId, lease.DestinationId);
        }

        return session.FramesWritten - firstSeq;
    }

    private static partial class Log
    {
        [LoggerMessage(LogEvents.HalfSampleDropped, LogLevel.Debug, "Stream {RequestId}: {Backend} sent an odd number of PCM bytes; the trailing half sample was dropped")]
        public static partial void HalfSampleDropped(ILogger logger, string requestId, string backend);
    }
}
