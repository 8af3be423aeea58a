using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.Channels;
using ChatTts.Edge.Redis;
using ChatTts.Edge.Streaming;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace ChatTts.Edge.Resume;

/// <summary>
/// Journals in Redis, one Redis Stream per stream (<c>edge:resume:{id}:events</c>, entry ids as <see cref="JournalPosition"/>
/// says, so "after audio N" is one read from an id), beside its header (<c>…:head</c>) and the claim on its fate
/// (<c>…:claim</c>), all expiring <see cref="ResumeOptions.Retention"/> after the last write. Writes go through a bounded
/// queue that one writer drains in batches (in order, over the one connection): the audio path never waits for Redis. A
/// write that is dropped or fails breaks its stream's journal. Redis cannot block a shared connection (XREAD BLOCK), so a
/// reader waiting for live events polls every <see cref="PollInterval"/>.
/// </summary>
internal sealed partial class RedisResumeStore : IResumeStore, IDisposable
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(25);

    private const int QueueLength = 8192;
    private const int BatchSize = 256;

    private const string ClaimScript = """
        local s = redis.call('GET', KEYS[1])
        if s then return s end
        redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
        return ARGV[1]
        """;

    private readonly RedisConnection _redis;
    private readonly IOptionsMonitor<ResumeOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger<RedisResumeStore> _logger;
    private readonly Channel<Write> _writes = Channel.CreateBounded<Write>(new BoundedChannelOptions(QueueLength) { SingleReader = true });
    private readonly ConcurrentDictionary<string, bool> _broken = new(StringComparer.Ordinal);
    private readonly Task _writer;

    public RedisResumeStore(RedisConnection redis, IOptionsMonitor<ResumeOptions> options, TimeProvider time, ILogger<RedisResumeStore> logger)
    {
        _redis = redis;
        _options = options;
        _time = time;
        _logger = logger;
        _writer = Task.Run(WriteAllAsync);
    }

    public void Begin(string stream, JournalHeader header) => Enqueue(new Write(WriteKind.Begin, stream, header, default));

    public bool Append(string stream, JournalPosition position, RecordedEvent recorded, ReadOnlySpan<byte> payload)
    {
        if (_broken.ContainsKey(stream))
        {
            return false;
        }

        // A pooled copy, back in the pool once Redis has it (the write's own buffer is the response's).
        var copy = ArrayPool<byte>.Shared.Rent(payload.Length);
        payload.CopyTo(copy);
        if (Enqueue(new Write(WriteKind.Append, stream, null, new JournalEntry(position, recorded with { Payload = copy.AsMemory(0, payload.Length) }), copy)))
        {
            return true;
        }

        ArrayPool<byte>.Shared.Return(copy);
        return false;
    }

    public void Break(string stream)
    {
        _broken[stream] = true;
        Enqueue(new Write(WriteKind.Break, stream, null, default));
    }

    public void End(string stream) => _broken.TryRemove(stream, out _);

    public async Task<JournalHeader?> FindAsync(string stream, CancellationToken cancellationToken)
    {
        var fields = await _redis.RunAsync(db => db.HashGetAllAsync(Head(stream)));
        var header = fields.ToDictionary(f => f.Name.ToString(), f => f.Value.ToString(), StringComparer.Ordinal);
        return header.ContainsKey("broken") || !header.TryGetValue("request_id", out var request) || !header.TryGetValue("key_id", out var key)
            || !header.TryGetValue("fingerprint", out var fingerprint)
            ? null
            : new JournalHeader(request, key, fingerprint);
    }

    public async Task<ResumeClaim?> ClaimAsync(string stream, ResumeClaim claim, CancellationToken cancellationToken)
    {
        if (!await _redis.RunAsync(db => db.KeyExistsAsync(Head(stream))))
        {
            return null;
        }

        var retention = (long)_options.CurrentValue.Retention.TotalMilliseconds;
        var standing = await _redis.RunAsync(db => db.ScriptEvaluateAsync(ClaimScript, [Key(stream, "claim")], [claim.ToString(), retention]));
        return Enum.TryParse<ResumeClaim>(standing.ToString(), out var value) ? value : null;
    }

    public async Task<IReadOnlyList<JournalEntry>> ReadAsync(string stream, JournalPosition after, int max, CancellationToken cancellationToken)
    {
        var from = new JournalPosition(after.Major, after.Minor + 1).ToString();
        StreamEntry[] entries;
        RedisValue broken;
        try
        {
            (entries, broken) = await _redis.RunAsync(async db =>
            {
                var read = db.StreamRangeAsync(Key(stream, "events"), from, "+", max);
                var flag = db.HashGetAsync(Head(stream), "broken");
                return (await read, await flag);
            });
        }
        catch (RedisUnavailableException ex)
        {
            throw new ResumeLostException("The journal's Redis is unreachable.", ex);
        }

        if (!broken.IsNull)
        {
            throw new ResumeLostException("The stream's journal is broken.");
        }

        var result = new List<JournalEntry>(entries.Length);
        foreach (var entry in entries)
        {
            result.Add(Parse(entry));
        }

        return result;
    }

    public Task WaitAsync(string stream, TimeSpan wait, CancellationToken cancellationToken) =>
        Task.Delay(wait < PollInterval ? wait : PollInterval, _time, cancellationToken);

    public void Dispose()
    {
        _writes.Writer.TryComplete();
    }

    private static RedisKey Key(string stream, string part) => $"edge:resume:{{{stream}}}:{part}";

    private static RedisKey Head(string stream) => Key(stream, "head");

    private static JournalEntry Parse(StreamEntry entry)
    {
        var id = entry.Id.ToString();
        var dash = id.IndexOf('-', StringComparison.Ordinal);
        var position = new JournalPosition(long.Parse(id.AsSpan(0, dash), CultureInfo.InvariantCulture), long.Parse(id.AsSpan(dash + 1), CultureInfo.InvariantCulture));
        return new JournalEntry(position, new RecordedEvent(
            (RecordedEventKind)(int)entry["k"], (long)entry["s"], (long)entry["o"], (int)entry["n"], (byte[])entry["p"]!));
    }

    private bool Enqueue(Write write)
    {
        if (_writes.Writer.TryWrite(write))
        {
            return true;
        }

        _broken[write.Stream] = true;
        Log.QueueFull(_logger, write.Stream);
        return false;
    }

    private enum WriteKind
    {
        Begin,
        Append,
        Break,
    }

    /// <param name="Rented">The pooled array <paramref name="Entry"/>'s payload lives in; null for other writes.</param>
    private readonly record struct Write(WriteKind Kind, string Stream, JournalHeader? Header, JournalEntry Entry, byte[]? Rented = null);
}
