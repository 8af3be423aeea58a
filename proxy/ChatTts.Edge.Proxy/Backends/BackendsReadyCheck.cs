using Microsoft.Extensions.Diagnostics.HealthChecks;
using Yarp.ReverseProxy;

namespace ChatTts.Edge.Backends;

/// <summary>Ready when at least one ChatTTS backend can take work (healthy or not yet probed, not draining).</summary>
internal sealed class BackendsReadyCheck(IProxyStateLookup proxy, BackendSelector backends) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var configured = proxy.TryGetCluster(BackendMetadata.ClusterId, out var cluster) ? cluster.Destinations.Count : 0;
        var capacity = backends.Capacity();
        return Task.FromResult(capacity > 0
            ? HealthCheckResult.Healthy($"{cluster!.DestinationsState.AvailableDestinations.Count} of {configured} backends available ({capacity} synthesis slots)")
            : HealthCheckResult.Unhealthy(configured == 0 ? "no backend is configured" : $"none of {configured} backends is available"));
    }
}
