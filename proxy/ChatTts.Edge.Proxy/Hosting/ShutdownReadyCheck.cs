using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ChatTts.Edge.Hosting;

/// <summary>Not ready once the process is shutting down: balancers stop sending it new streams while it drains.</summary>
internal sealed class ShutdownReadyCheck(IHostApplicationLifetime lifetime) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(lifetime.ApplicationStopping.IsCancellationRequested
            ? HealthCheckResult.Unhealthy("shutting down: open streams are draining")
            : HealthCheckResult.Healthy("serving"));
}
