using System.Buffers.Binary;
using System.Text;
using ChatTts.Edge.Hosting;
using ChatTts.Edge.Redis;
using StackExchange.Redis;

namespace ChatTts.Edge.Replay;

/// <summary>
/// Entries in the edge's Redis, shared by every replica: one string key per entry (<c>edge:replay:&lt;key&gt;</c>) with
/// <c>PX</c> = the TTL, read with one <c>MGET</c> for all the keys a request could be served by. A Redis that is down or
/// slow (<see cref="RedisConnection"/>'s deadline) is a miss, never a failed request; the outage is logged once.
/// </summary>
internal sealed partial class RedisReplayStore(RedisConnection redis, ILogger<RedisReplayStore> logger) : IReplayStore
{
    private const byte Format = 1;
    private int _down;

    public async Task<ReplayEntry?> FindAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count == 0)
        {
            return null;
        }

        var redisKeys = new RedisKey[keys.Count];
        for (var i = 0; i < keys.Count; i++)
        {
            redisKeys[i] = KeyOf(keys[i]);
        }

        try
        {
            var values = await redis.RunAsync(database => database.StringGetAsync(redisKeys));
            Answered();
            foreach (var value in values)
            {
                if (!value.IsNull && Decode((ReadOnlyMemory<byte>)value) is { } entry)
                {
                    return entry;
                }
            }
        }
        catch (RedisUnavailableException ex)
        {
            Failed(ex);
        }

        return null;
    }

    public async Task StoreAsync(string key, ReplayEntry entry, TimeSpan ttl, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var value = Encode(entry);
        try
        {
            await redis.RunAsync(database => database.StringSetAsync(KeyOf(key), value, ttl));
            Answered();
        }
        catch (RedisUnavailableException ex)
        {
            Failed(ex);
        }
    }

    internal static RedisKey KeyOf(string key) => "edge:replay:" + key;

    /// <summary>A format byte, the backend's id (2-byte length, UTF-8), then the PCM.</summary>
    internal static byte[] Encode(ReplayEntry entry)
    {
        var backend = Encoding.UTF8.GetBytes(entry.Backend);
        var value = new byte[3 + backend.Length + entry.Pcm.Length];
        value[0] = Format;
        BinaryPrimitives.WriteUInt16LittleEndian(value.AsSpan(1), checked((ushort)backend.Length));
        backend.CopyTo(value, 3);
        entry.Pcm.Span.CopyTo(value.AsSpan(3 + backend.Length));
        return value;
    }

    /// <summary>The entry in <paramref name="value"/>; null for a format this edge does not know.</summary>
    internal static ReplayEntry? Decode(ReadOnlyMemory<byte> value)
    {
        var span = value.Span;
        if (span.Length < 3 || span[0] != Format)
        {
            return null;
        }

        var length = BinaryPrimitives.ReadUInt16LittleEndian(span[1..]);
        return span.Length < 3 + length ? null : new ReplayEntry(Encoding.UTF8.GetString(span.Slice(3, length)), value[(3 + length)..]);
    }

    private void Answered()
    {
        if (Volatile.Read(ref _down) == 1 && Interlocked.Exchange(ref _down, 0) == 1)
        {
            Log.StoreBack(logger);
        }
    }

    private void Failed(RedisUnavailableException exception)
    {
        if (Interlocked.Exchange(ref _down, 1) == 0)
        {
            Log.StoreDown(logger, exception.Message);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(LogEvents.CacheStoreDown, LogLevel.Warning, "The replay cache's Redis is unreachable ({Reason}); requests are synthesized until it is back")]
        public static partial void StoreDown(ILogger logger, string reason);

        [LoggerMessage(LogEvents.CacheStoreBack, LogLevel.Information, "The replay cache's Redis answers again")]
        public static partial void StoreBack(ILogger logger);
    }
}
