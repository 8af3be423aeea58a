using System.Text.Json;
using ChatTts.Edge.Hosting;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.AspNetCore.Builder;

internal static class HealthEndpoints
{
    /// <summary>
    /// <c>GET /healthz</c>: the process is alive (no checks run). <c>GET /readyz</c>: it can serve streams (a backend
    /// is available, the quota store answers or fails open, certificates load, not shutting down); 503 when not.
    /// <c>GET /readyz/pod</c>: this process can take requests, whatever the GPUs and Redis do (see
    /// <see cref="HealthTags.Pod"/>): what a Kubernetes readiness probe should ask. All answer with
    /// ASP.NET Core's health status, as JSON with each check's status and description; no key is needed, as
    /// Kubernetes and compose probes expect.
    /// </summary>
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync });
        endpoints.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = check => check.Tags.Contains(HealthTags.Ready), ResponseWriter = WriteAsync });
        endpoints.MapHealthChecks("/readyz/pod", new HealthCheckOptions { Predicate = check => check.Tags.Contains(HealthTags.Pod), ResponseWriter = WriteAsync });
        return endpoints;
    }

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        return JsonSerializer.SerializeAsync(context.Response.Body, new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description }),
        }, cancellationToken: context.RequestAborted);
    }
}
