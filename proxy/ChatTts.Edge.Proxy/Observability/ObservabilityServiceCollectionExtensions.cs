using ChatTts.Edge.Observability;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

internal static class ObservabilityServiceCollectionExtensions
{
    /// <summary>Registers the per-backend statistics, the guard of <c>/admin/*</c> (section <c>Edge:Admin</c>) and the readiness checks.</summary>
    public static IServiceCollection AddEdgeObservability(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddEdgeOptions<AdminOptions>(configuration, AdminOptions.SectionName);
        services.TryAddSingleton<BackendStatistics>();
        services.TryAddSingleton<AdminGuard>();
        services.AddMetrics();
        services.TryAddSingleton<EdgeMetrics>();
        services.TryAddSingleton<PrometheusCollector>();
        services.AddEdgeOptions<TelemetryOptions>(configuration, TelemetryOptions.SectionName)
            .Validate(o => o.ExportInterval >= TimeSpan.FromMilliseconds(100), $"{TelemetryOptions.SectionName}:ExportInterval must be at least 100 ms.");
        services.AddHostedService<OtlpMetricsExport>();
        services.AddHealthChecks()
            .AddCheck<BackendsReadyCheck>("backends", tags: [HealthEndpoints.ReadyTag])
            .AddCheck<QuotaStoreReadyCheck>("quota-store", tags: [HealthEndpoints.ReadyTag])
            .AddCheck<CertificatesReadyCheck>("certificates", tags: [HealthEndpoints.ReadyTag]);
        return services;
    }
}
