using System.Buffers;
using ChatTts.Edge.Hosting;
using ChatTts.Edge.Redis;
using StackExchange.Redis;

namespace ChatTts.Edge.Resume;

/// <summary>The one writer of <see cref="RedisResumeStore"/>: batches of queued writes, in order.</summary>
internal sealed partial class RedisResumeStore
{
    private async Task WriteAllAsync()
    {
        var batch = new List<Write>(BatchSize);
        var streams = new HashSet<string>(StringComparer.Ordinal);
        while (await _writes.Reader.WaitToReadAsync())
        {
            batch.Clear();
            streams.Clear();
            while (batch.Count < BatchSize && _writes.Reader.TryRead(out var write))
            {
                if (write.Kind != WriteKind.Append || !_broken.ContainsKey(write.Stream))
                {
                    batch.Add(write);
                    streams.Add(write.Stream);
                }
                else if (write.Rented is { } rented)
                {
                    ArrayPool<byte>.Shared.Return(rented);
                }
            }

            try
            {
                await _redis.RunAsync(db => WriteBatchAsync(db, batch, streams));
                foreach (var write in batch)
                {
                    if (write.Rented is { } rented)
                    {
                        ArrayPool<byte>.Shared.Return(rented);
                    }
                }
            }
            catch (RedisUnavailableException ex)
            {
                // The copies are left to the GC: a call past its deadline may still be writing from them.
                foreach (var stream in streams)
                {
                    _broken[stream] = true;
                }

                Log.WriteFailed(_logger, ex, streams.Count);
            }
        }
    }

    private async Task<bool> WriteBatchAsync(IDatabase db, List<Write> batch, HashSet<string> streams)
    {
        // Sent without waiting in between: one connection keeps their order.
        var retention = _options.CurrentValue.Retention;
        var sent = new List<Task>(batch.Count + (2 * streams.Count));
        foreach (var write in batch)
        {
            switch (write.Kind)
            {
                case WriteKind.Begin:
                    sent.Add(db.HashSetAsync(Head(write.Stream),
                        [new("request_id", write.Header!.RequestId), new("key_id", write.Header.KeyId), new("fingerprint", write.Header.Fingerprint)]));
                    break;
                case WriteKind.Append:
                    var e = write.Entry.Event;
                    sent.Add(db.StreamAddAsync(Key(write.Stream, "events"),
                        [new("k", (int)e.Kind), new("s", e.Seq), new("o", e.OffsetSamples), new("n", e.Samples), new("p", e.Payload)],
                        messageId: write.Entry.Position.ToString()));
                    break;
                case WriteKind.Break:
                    sent.Add(db.HashSetAsync(Head(write.Stream), "broken", 1));
                    break;
            }
        }

        foreach (var stream in streams)
        {
            sent.Add(db.KeyExpireAsync(Head(stream), retention));
            sent.Add(db.KeyExpireAsync(Key(stream, "events"), retention));
        }

        await Task.WhenAll(sent);
        return true;
    }

    private static partial class Log
    {
        [LoggerMessage(LogEvents.ResumeQueueFull, LogLevel.Warning, "Stream {Stream} can no longer be resumed: the journal's write queue is full")]
        public static partial void QueueFull(ILogger logger, string stream);

        [LoggerMessage(LogEvents.ResumeWriteFailed, LogLevel.Warning, "{Streams} stream(s) can no longer be resumed: writing their journals to Redis failed")]
        public static partial void WriteFailed(ILogger logger, Exception exception, int streams);
    }
}
