namespace ChatTts.Edge.Replay;

/// <summary>Where the replay cache keeps its entries: this process's memory, or the edge's Redis.</summary>
internal interface IReplayStore
{
    /// <summary>The entry of the first of <paramref name="keys"/> that has one; null when none has (or the store cannot be reached).</summary>
    Task<ReplayEntry?> FindAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken);

    /// <summary>Stores <paramref name="entry"/> under <paramref name="key"/> for <paramref name="ttl"/>; a store that cannot be reached drops it.</summary>
    Task StoreAsync(string key, ReplayEntry entry, TimeSpan ttl, CancellationToken cancellationToken);
}

/// <summary>The audio of one deterministic request that ended <c>done</c>.</summary>
/// <param name="Backend">The destination that synthesized it.</param>
/// <param name="Pcm">All of its PCM (s16le, 24 kHz, mono), whole samples.</param>
internal sealed record ReplayEntry(string Backend, ReadOnlyMemory<byte> Pcm);
