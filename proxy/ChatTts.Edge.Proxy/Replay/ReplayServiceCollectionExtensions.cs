using ChatTts.Edge.Redis;
using ChatTts.Edge.Replay;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

internal static class ReplayServiceCollectionExtensions
{
    /// <summary>
    /// Registers the replay cache of deterministic requests (section <c>Edge:Cache</c>): in memory, or in the edge's Redis
    /// when it has one (or <c>Store=Redis</c>).
    /// </summary>
    public static IServiceCollection AddEdgeReplay(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddEdgeOptions<CacheOptions>(configuration, CacheOptions.SectionName);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CacheOptions>>(new CacheOptionsValidator(configuration)));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<MemoryReplayStore>();
        services.TryAddSingleton<RedisReplayStore>();
        services.TryAddSingleton<IReplayStore>(provider =>
            SharedStateStores.Resolve(provider.GetRequiredService<IOptions<CacheOptions>>().Value.Store, configuration) == SharedStateStore.Redis
                ? provider.GetRequiredService<RedisReplayStore>()
                : provider.GetRequiredService<MemoryReplayStore>());
        services.TryAddSingleton<ReplayCache>();
        return services;
    }
}
