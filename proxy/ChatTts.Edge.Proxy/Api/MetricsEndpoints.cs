using ChatTts.Edge.Api;
using ChatTts.Edge.Observability;

namespace Microsoft.AspNetCore.Builder;

internal static class MetricsEndpoints
{
    /// <summary>
    /// <c>GET /metrics</c>: the <c>ChatTts.Edge</c> meter in Prometheus text format, behind the admin guard (loopback,
    /// or <c>Authorization: Bearer &lt;Edge:Admin:ApiKey&gt;</c>, which Prometheus sends with its <c>authorization</c> setting).
    /// </summary>
    public static IEndpointRouteBuilder MapMetrics(this IEndpointRouteBuilder endpoints)
    {
        // Listening starts now, before the first request is measured.
        var collector = endpoints.ServiceProvider.GetRequiredService<PrometheusCollector>();
        endpoints.MapGet("/metrics", () => TypedResults.Text(collector.Scrape(), "text/plain; version=0.0.4; charset=utf-8"))
            .AddEndpointFilter<AdminGuard>()
            .WithMetadata(new Microsoft.AspNetCore.Cors.DisableCorsAttribute()); // scraped by Prometheus, never by other sites' pages
        return endpoints;
    }
}
