using ChatTts.Edge.Quotas;
using ChatTts.Edge.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

internal static class QuotaServiceCollectionExtensions
{
    /// <summary>Registers per-key quotas (section <c>Edge:Quotas</c>): the stores, the gate, its readiness check.</summary>
    public static IServiceCollection AddEdgeQuotas(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddEdgeOptions<QuotaOptions>(configuration, QuotaOptions.SectionName);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<QuotaOptions>, QuotaOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<MemoryQuotaStore>();
        services.TryAddSingleton<RedisQuotaStore>();
        services.TryAddSingleton<IQuotaStore>(provider =>
            provider.GetRequiredService<IOptions<QuotaOptions>>().Value.Store == QuotaStoreKind.Redis
                ? provider.GetRequiredService<RedisQuotaStore>()
                : provider.GetRequiredService<MemoryQuotaStore>());
        services.TryAddSingleton<QuotaGate>();
        services.AddHealthChecks().AddCheck<QuotaStoreReadyCheck>("quota-store", tags: [HealthTags.Ready]);
        return services;
    }
}
