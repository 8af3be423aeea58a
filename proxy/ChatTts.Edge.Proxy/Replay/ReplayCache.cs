using Microsoft.Extensions.Options;

namespace ChatTts.Edge.Replay;

/// <summary>
/// The replay cache as a run sees it: whether it is on, the entry of the first key that has one, storing a finished
/// stream's PCM within <see cref="CacheOptions.MaxEntryBytes"/> for <see cref="CacheOptions.Ttl"/>.
/// </summary>
internal sealed class ReplayCache(IReplayStore store, IOptionsMonitor<CacheOptions> options)
{
    public CacheOptions Options => options.CurrentValue;

    public Task<ReplayEntry?> FindAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken) =>
        keys.Count == 0 ? Task.FromResult<ReplayEntry?>(null) : store.FindAsync(keys, cancellationToken);

    public Task StoreAsync(string key, ReplayEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var current = options.CurrentValue;
        return entry.Pcm.IsEmpty || entry.Pcm.Length > current.MaxEntryBytes
            ? Task.CompletedTask
            : store.StoreAsync(key, entry, current.Ttl, cancellationToken);
    }
}
