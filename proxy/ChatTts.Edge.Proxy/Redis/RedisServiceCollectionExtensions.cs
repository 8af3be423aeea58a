using ChatTts.Edge.Redis;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

internal static class RedisServiceCollectionExtensions
{
    /// <summary>
    /// Registers the one Redis connection (section <c>Edge:Redis</c>, or <c>Edge:Quotas:Redis</c>) that every feature
    /// keeping shared state uses; it is made only when one does.
    /// </summary>
    public static IServiceCollection AddEdgeRedis(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddEdgeOptions<RedisOptions>(configuration, RedisOptions.SectionName);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(provider => new RedisConnection(
            new RedisSettings(
                RedisOptions.ConfigurationString(configuration) ?? throw new InvalidOperationException($"{RedisOptions.SectionName}:Configuration is not set."),
                provider.GetRequiredService<IOptions<RedisOptions>>().Value.Timeout),
            provider.GetRequiredService<TimeProvider>()));
        services.AddHostedService(provider => new RedisWarmUp(RedisOptions.ConfigurationString(configuration) is not null, provider));
        return services;
    }
}
