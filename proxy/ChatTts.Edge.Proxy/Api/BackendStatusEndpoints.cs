using ChatTts.Edge.Admission;
using ChatTts.Edge.Api;
using ChatTts.Edge.Backends;
using ChatTts.Edge.Observability;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace Microsoft.AspNetCore.Builder;

internal static class BackendStatusEndpoints
{
    /// <summary><c>GET /admin/backends</c>: every destination's health, load and recent latency, as JSON.</summary>
    public static IEndpointRouteBuilder MapBackendStatus(this IEndpointRouteBuilder endpoints)
    {
        // Never cross-origin: an operator's tools call it, not other sites' pages.
        var admin = endpoints.MapGroup("/admin").AddEndpointFilter<AdminGuard>().WithMetadata(new Microsoft.AspNetCore.Cors.DisableCorsAttribute());
        admin.MapGet("/backends", (IProxyStateLookup proxy, DestinationSettingsCache settings, BackendActivity activity, IAdmissionControl queue, BackendStatistics statistics, IOptionsMonitor<AdmissionOptions> admission) =>
            TypedResults.Json(Describe(proxy, settings, activity, queue, statistics, admission.CurrentValue), EdgeJsonContext.Default.FleetStatus))
            .DescribeBackendStatus();
        return endpoints;
    }

    private static FleetStatus Describe(IProxyStateLookup proxy, DestinationSettingsCache settings, BackendActivity activity, IAdmissionControl queue, BackendStatistics statistics, AdmissionOptions admission)
    {
        var destinations = new List<DestinationStatus>();
        string? policy = null;
        if (proxy.TryGetCluster(BackendMetadata.ClusterId, out var cluster))
        {
            policy = cluster.Model.Config.LoadBalancingPolicy;
            var available = cluster.DestinationsState.AvailableDestinations;
            foreach (var (id, destination) in cluster.Destinations.OrderBy(d => d.Key, StringComparer.OrdinalIgnoreCase))
            {
                destinations.Add(Describe(destination, settings.For(cluster, destination), available.Contains(destination), queue.WaitingFor(id), activity, statistics.For(id)));
            }
        }

        return new FleetStatus(
            BackendMetadata.ClusterId,
            policy,
            new QueueStatus(queue.Length, admission.MaxQueueLength, admission.MaxQueueWait.TotalMilliseconds),
            destinations);
    }

    private static DestinationStatus Describe(DestinationState destination, DestinationSettings settings, bool available, int waiting, BackendActivity activity, DestinationCounters counters)
    {
        var ttfa = counters.RecentTtfa();
        return new DestinationStatus(
            destination.DestinationId,
            destination.Model.Config.Address,
            settings.Dialect.Name,
            new HealthStatus(Name(destination.Health.Active), Name(destination.Health.Passive)),
            available,
            settings.Draining,
            activity.InFlight(destination.DestinationId),
            activity.Finishing(destination.DestinationId),
            settings.MaxConcurrency,
            waiting,
            counters.Requests,
            counters.Failures,
            counters.Retries,
            new TtfaStatus(ttfa.Samples, ttfa.P50Ms, ttfa.P99Ms));
    }

    private static string Name(DestinationHealth health) => health switch
    {
        DestinationHealth.Healthy => "healthy",
        DestinationHealth.Unhealthy => "unhealthy",
        _ => "unknown",
    };

    internal sealed record FleetStatus(string Cluster, string? LoadBalancingPolicy, QueueStatus Queue, IReadOnlyList<DestinationStatus> Destinations);

    internal sealed record QueueStatus(int Length, int MaxLength, double MaxWaitMs);

    internal sealed record DestinationStatus(
        string Id,
        string Address,
        string Dialect,
        HealthStatus Health,
        bool Available,
        bool Draining,
        int InFlight,
        int Finishing,
        int MaxConcurrency,
        int QueueLength,
        long Requests,
        long Failures,
        long Retries,
        TtfaStatus TtfaMs);

    internal sealed record HealthStatus(string Active, string Passive);

    internal sealed record TtfaStatus(int Samples, double? P50, double? P99);
}
