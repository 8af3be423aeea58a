using System.Runtime.CompilerServices;
using ChatTts.Edge.Hosting;
using ChatTts.Edge.Redis;
using ChatTts.Edge.Streaming;
using Microsoft.Extensions.Options;

namespace ChatTts.Edge.Resume;

/// <summary>Where a resumed stream continues: after audio <paramref name="AfterSeq"/> of <paramref name="Stream"/>.</summary>
/// <param name="RequestId">The request that started the stream (its <c>meta.request_id</c> again).</param>
/// <param name="LastEventId">The id the client came back with (<c>meta.resumed_from</c>).</param>
internal sealed record ResumePoint(string Stream, string RequestId, long AfterSeq, string LastEventId);

/// <summary>
/// Resumable streams: a journal for each new stream (<see cref="Begin"/>), and for a client that comes back with the id of
/// an audio event, the place to continue (<see cref="FindAsync"/>: the same caller and the same request only) and the events
/// from there on, recorded and then live, until the stream's last (<see cref="ReadAsync"/>).
/// </summary>
internal sealed partial class StreamResumption(IResumeStore store, IOptionsMonitor<ResumeOptions> options, TimeProvider time, ILogger<StreamResumption> logger)
{
    private const int ReadBatch = 64;

    public bool Enabled => options.CurrentValue.Enabled;

    public int RetryMilliseconds => options.CurrentValue.RetryMilliseconds;

    /// <summary>A journal for a new stream of <paramref name="requestId"/>; null when resumption is off.</summary>
    public ResumableStream? Begin(string requestId, string keyId, string fingerprint) =>
        Enabled ? new ResumableStream(StreamIds.NewStream(), new JournalHeader(requestId, keyId, fingerprint), store, options.CurrentValue, time, logger) : null;

    /// <summary>
    /// Where <paramref name="lastEventId"/> continues, and the resume attached to its stream (so its synthesis goes on); null
    /// when it cannot: not an audio id, not kept (expired, broken, never), another caller's or another request's, or given up.
    /// </summary>
    public async Task<ResumePoint?> FindAsync(string lastEventId, string keyId, string fingerprint, CancellationToken cancellationToken)
    {
        if (!Enabled || !StreamIds.TryParse(lastEventId, out var stream, out var seq))
        {
            return null;
        }

        try
        {
            var header = await store.FindAsync(stream, cancellationToken);
            if (header is null || !string.Equals(header.KeyId, keyId, StringComparison.Ordinal) || !string.Equals(header.Fingerprint, fingerprint, StringComparison.Ordinal))
            {
                return null;
            }

            return await store.ClaimAsync(stream, ResumeClaim.Attached, cancellationToken) == ResumeClaim.Attached
                ? new ResumePoint(stream, header.RequestId, seq, lastEventId)
                : null;
        }
        catch (RedisUnavailableException ex)
        {
            Log.StoreUnavailable(logger, ex);
            return null;
        }
    }

    /// <summary>The events after <paramref name="point"/>, up to and including the stream's last (<c>done</c> or <c>error</c>).</summary>
    /// <exception cref="ResumeLostException">The journal is gone or broken, or no event came for the idle timeout.</exception>
    public async IAsyncEnumerable<RecordedEvent> ReadAsync(ResumePoint point, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var after = JournalPosition.AfterAudio(point.AfterSeq);
        var nextSeq = point.AfterSeq + 1;
        var idle = options.CurrentValue.IdleTimeout;
        var heard = time.GetTimestamp();
        while (true)
        {
            var entries = await store.ReadAsync(point.Stream, after, ReadBatch, cancellationToken);
            if (entries.Count == 0)
            {
                var quiet = time.GetElapsedTime(heard);
                if (quiet >= idle)
                {
                    throw new ResumeLostException($"No event of the stream came for {idle.TotalSeconds:0.#} s.");
                }

                await store.WaitAsync(point.Stream, idle - quiet, cancellationToken);
                continue;
            }

            heard = time.GetTimestamp();
            foreach (var entry in entries)
            {
                var recorded = entry.Event;
                if (recorded.Kind == RecordedEventKind.Audio && recorded.Seq != nextSeq++)
                {
                    throw new ResumeLostException($"The journal lost audio: seq {recorded.Seq} follows {nextSeq - 2}.");
                }

                yield return recorded;
                if (recorded.IsLast)
                {
                    yield break;
                }

                after = entry.Position;
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(LogEvents.ResumeStoreUnavailable, LogLevel.Warning, "A stream could not be resumed: the journals' store is unreachable; it starts over")]
        public static partial void StoreUnavailable(ILogger logger, Exception exception);
    }
}
