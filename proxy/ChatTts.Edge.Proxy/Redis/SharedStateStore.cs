namespace ChatTts.Edge.Redis;

/// <summary>Where a feature that replicas may share (resumable streams, the replay cache) keeps its state.</summary>
internal enum SharedStateStore
{
    /// <summary>In the edge's Redis when it has one (<c>Edge:Redis:Configuration</c>), else in this process's memory.</summary>
    Auto,

    /// <summary>In this process: only this replica sees it.</summary>
    Memory,

    /// <summary>In the edge's Redis: every replica sees it.</summary>
    Redis,
}

/// <summary>The one rule that turns a feature's <see cref="SharedStateStore"/> setting into the store it gets.</summary>
internal static class SharedStateStores
{
    /// <summary>The store in force: <see cref="SharedStateStore.Memory"/> or <see cref="SharedStateStore.Redis"/>.</summary>
    public static SharedStateStore Resolve(SharedStateStore store, IConfiguration configuration) => store switch
    {
        SharedStateStore.Auto => RedisOptions.ConfigurationString(configuration) is null ? SharedStateStore.Memory : SharedStateStore.Redis,
        var chosen => chosen,
    };

    /// <summary>Whether <paramref name="store"/> asks for Redis where the edge has none (a start-up problem).</summary>
    public static bool LacksRedis(SharedStateStore store, IConfiguration configuration) =>
        store == SharedStateStore.Redis && RedisOptions.ConfigurationString(configuration) is null;
}
