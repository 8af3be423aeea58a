using Microsoft.Extensions.Options;

namespace ChatTts.Edge.Replay;

/// <summary>
/// Entries in this process, within <see cref="CacheOptions.MaxBytes"/> of PCM in all: the least recently used go first
/// when a new one needs room, and an entry past its TTL is never served.
/// </summary>
internal sealed class MemoryReplayStore(IOptionsMonitor<CacheOptions> options, TimeProvider time) : IReplayStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, LinkedListNode<Item>> _items = new(StringComparer.Ordinal);
    private readonly LinkedList<Item> _recent = new(); // most recently used first
    private long _bytes;

    /// <summary>Bytes of PCM held now.</summary>
    public long Bytes
    {
        get
        {
            lock (_lock)
            {
                return _bytes;
            }
        }
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _items.Count;
            }
        }
    }

    public Task<ReplayEntry?> FindAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var now = time.GetTimestamp();
        lock (_lock)
        {
            foreach (var key in keys)
            {
                if (!_items.TryGetValue(key, out var node))
                {
                    continue;
                }

                if (node.Value.Expires <= now)
                {
                    Remove(node);
                    continue;
                }

                _recent.Remove(node);
                _recent.AddFirst(node);
                return Task.FromResult<ReplayEntry?>(node.Value.Entry);
            }
        }

        return Task.FromResult<ReplayEntry?>(null);
    }

    public Task StoreAsync(string key, ReplayEntry entry, TimeSpan ttl, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var budget = options.CurrentValue.MaxBytes;
        var size = entry.Pcm.Length;
        if (size > budget)
        {
            return Task.CompletedTask;
        }

        var expires = time.GetTimestamp() + (long)(ttl.TotalSeconds * time.TimestampFrequency);
        lock (_lock)
        {
            if (_items.TryGetValue(key, out var existing))
            {
                Remove(existing);
            }

            while (_bytes + size > budget && _recent.Last is { } oldest)
            {
                Remove(oldest);
            }

            _items[key] = _recent.AddFirst(new Item(key, entry, expires));
            _bytes += size;
        }

        return Task.CompletedTask;
    }

    /// <summary>Takes an entry out. Called under the lock.</summary>
    private void Remove(LinkedListNode<Item> node)
    {
        _recent.Remove(node);
        _items.Remove(node.Value.Key);
        _bytes -= node.Value.Entry.Pcm.Length;
    }

    private sealed record Item(string Key, ReplayEntry Entry, long Expires);
}
