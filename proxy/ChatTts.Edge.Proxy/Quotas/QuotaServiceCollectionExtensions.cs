using ChatTts.Edge.Quotas;
using ChatTts.Edge.Redis;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

internal static class QuotaServiceCollectionExtensions
{
    /// <summary>Registers callers' identification, browser tokens and per-key quotas (section <c>Edge:Quotas</c>).</summary>
    public static IServiceCollection AddEdgeQuotas(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddEdgeOptions<QuotaOptions>(configuration, QuotaOptions.SectionName);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<QuotaOptions>, QuotaOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<BrowserTokens>();
        services.TryAddSingleton<CallerIdentifier>();
        services.TryAddSingleton<MemoryQuotaStore>();
        services.TryAddSingleton(provider =>
        {
            var quotas = provider.GetRequiredService<IOptions<QuotaOptions>>().Value;
            return new RedisConnection(
                new RedisSettings(quotas.Redis ?? throw new InvalidOperationException($"{QuotaOptions.SectionName}:Redis is not set."), quotas.RedisTimeout),
                provider.GetRequiredService<TimeProvider>());
        });
        services.TryAddSingleton<RedisQuotaStore>();
        services.TryAddSingleton<IQuotaStore>(provider =>
            provider.GetRequiredService<IOptions<QuotaOptions>>().Value.Store == QuotaStoreKind.Redis
                ? provider.GetRequiredService<RedisQuotaStore>()
                : provider.GetRequiredService<MemoryQuotaStore>());
        services.TryAddSingleton<QuotaGate>();
        services.AddHostedService<RedisQuotaStoreWarmUp>();

        // API keys may travel in the query string (api_key, for EventSource): the request line is never logged.
        services.Configure<LoggerFilterOptions>(logging => logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning));
        return services;
    }
}
