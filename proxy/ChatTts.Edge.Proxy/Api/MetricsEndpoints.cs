using ChatTts.Edge.Api;

namespace Microsoft.AspNetCore.Builder;

internal static class MetricsEndpoints
{
    /// <summary>
    /// <c>GET /metrics</c>: the edge's metrics (its own meter, ASP.NET Core, HttpClient, the runtime) in Prometheus text
    /// format, from the OpenTelemetry pipeline's Prometheus exporter, behind the admin guard (loopback, or
    /// <c>Authorization: Bearer &lt;Edge:Admin:ApiKey&gt;</c>, which Prometheus sends with its <c>authorization</c> setting).
    /// </summary>
    public static IEndpointRouteBuilder MapMetrics(this IEndpointRouteBuilder endpoints)
    {
        var guard = endpoints.ServiceProvider.GetRequiredService<AdminGuard>();
        endpoints.MapPrometheusScrapingEndpoint("/metrics", meterProvider: null, configureBranchedPipeline: branch => branch.Use(guard.InvokeAsync), optionsName: null)
            .WithMetadata(new Microsoft.AspNetCore.Cors.DisableCorsAttribute()); // scraped by Prometheus, never by other sites' pages
        return endpoints;
    }
}
