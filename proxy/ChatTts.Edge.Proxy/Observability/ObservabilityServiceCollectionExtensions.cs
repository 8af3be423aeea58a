using ChatTts.Edge.Observability;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

internal static class ObservabilityServiceCollectionExtensions
{
    /// <summary>Registers the edge's meter, its Prometheus collector and OTLP export (section <c>Edge:Telemetry</c>), and the per-backend statistics.</summary>
    public static IServiceCollection AddEdgeObservability(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton<BackendStatistics>();
        services.AddMetrics();
        services.TryAddSingleton<EdgeMetrics>();
        services.TryAddSingleton<PrometheusCollector>();
        services.AddEdgeOptions<TelemetryOptions>(configuration, TelemetryOptions.SectionName)
            .Validate(o => o.ExportInterval >= TimeSpan.FromMilliseconds(100), $"{TelemetryOptions.SectionName}:ExportInterval must be at least 100 ms.");
        services.AddHostedService<OtlpMetricsExport>();
        return services;
    }
}
