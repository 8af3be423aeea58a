using ChatTts.Edge.Backends.Dialects;
using ChatTts.Edge.Backends.Health;
using ChatTts.Edge.Hosting;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.LoadBalancing;

namespace ChatTts.Edge.Backends;

/// <summary>
/// Checks the <c>chattts</c> cluster every time YARP loads configuration: an unknown dialect or a bad
/// <c>MaxConcurrency</c> stops the proxy at start-up (and a live reload with such a mistake is rejected,
/// keeping the previous backends). Every problem is reported at once. Also applies the edge's defaults:
/// the <c>LeastRequests</c> policy, no "panic" routing to unhealthy destinations, and, when the cluster names no active health-check path, each
/// destination's own dialect's health path (YARP has one probe path per cluster; dialects differ), and passive
/// health with <see cref="BackendFailuresPolicy"/>, active health with <see cref="BusyAwareProbePolicy"/>. Warns when two
/// destinations name the same server.
/// </summary>
internal sealed partial class BackendConfigFilter(DialectRegistry dialects, ILogger<BackendConfigFilter> logger) : IProxyConfigFilter
{
    private const string HealthyAndUnknown = "HealthyAndUnknown";

    public ValueTask<ClusterConfig> ConfigureClusterAsync(ClusterConfig cluster, CancellationToken cancel)
    {
        if (!string.Equals(cluster.ClusterId, BackendMetadata.ClusterId, StringComparison.OrdinalIgnoreCase))
        {
            return ValueTask.FromResult(cluster);
        }

        var problems = new List<string>();
        var destinations = new Dictionary<string, DestinationConfig>(StringComparer.OrdinalIgnoreCase);
        var byAuthority = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var probeByDialect = string.IsNullOrEmpty(cluster.HealthCheck?.Active?.Path);
        foreach (var (id, destination) in cluster.Destinations ?? new Dictionary<string, DestinationConfig>())
        {
            destinations[id] = destination;
            var path = $"ReverseProxy:Clusters:{cluster.ClusterId}:Destinations:{id}";
            if (!Uri.TryCreate(destination.Address, UriKind.Absolute, out var address) || address.Scheme is not ("http" or "https"))
            {
                problems.Add($"{path}:Address is '{destination.Address}'; expected an absolute http:// or https:// URL such as http://gpu1:9700/.");
                address = null;
            }
            else if (byAuthority.TryGetValue(address.Authority, out var twin))
            {
                // Two names for one server: each gets its own MaxConcurrency, so the server may get twice the work.
                Log.SameServer(logger, twin, id, address.Authority);
            }
            else
            {
                byAuthority[address.Authority] = id;
            }

            problems.AddRange(BackendMetadata.Problems(cluster, destination, dialects, path));
            if (probeByDialect && string.IsNullOrEmpty(destination.Health) && address is not null
                && dialects.TryGet(BackendMetadata.GetDialect(cluster, destination), out var known))
            {
                destinations[id] = destination with { Health = BackendUri.Combine(address, known.HealthPath).AbsoluteUri };
            }
        }

        if (cluster.Metadata?.GetValueOrDefault(BackendFailuresPolicy.ThresholdKey) is { } threshold
            && !(int.TryParse(threshold, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var failures) && failures >= 1))
        {
            problems.Add($"ReverseProxy:Clusters:{cluster.ClusterId}:Metadata:{BackendFailuresPolicy.ThresholdKey} must be a whole number of at least 1.");
        }

        if (problems.Count > 0)
        {
            throw new EdgeConfigurationException(problems);
        }

        return ValueTask.FromResult(cluster with
        {
            LoadBalancingPolicy = cluster.LoadBalancingPolicy ?? LoadBalancingPolicies.LeastRequests,
            Destinations = destinations,

            // YARP's default, HealthyOrPanic, sends work to every destination once all are unhealthy; a GPU fleet
            // that is down should answer 503 at once instead.
            HealthCheck = (cluster.HealthCheck ?? new HealthCheckConfig()) with
            {
                AvailableDestinationsPolicy = cluster.HealthCheck?.AvailableDestinationsPolicy ?? HealthyAndUnknown,
                Active = WithActiveDefaults(cluster.HealthCheck?.Active),
                Passive = WithPassiveDefaults(cluster.HealthCheck?.Passive),
            },
        });
    }

    /// <summary>
    /// Probes are judged by <see cref="BusyAwareProbePolicy"/> unless the cluster names another policy than YARP's
    /// <c>ConsecutiveFailures</c>, which would take a GPU that is busy synthesizing for the edge out of rotation.
    /// </summary>
    private static ActiveHealthCheckConfig? WithActiveDefaults(ActiveHealthCheckConfig? active) =>
        active is null ? null : active with
        {
            Policy = active.Policy is null || string.Equals(active.Policy, BusyAwareProbePolicy.ReplacedPolicyName, StringComparison.OrdinalIgnoreCase)
                ? BusyAwareProbePolicy.PolicyName
                : active.Policy,
        };

    /// <summary>Passive health is on by default, with the policy that also counts 5xx, 429 and timeouts.</summary>
    private static PassiveHealthCheckConfig WithPassiveDefaults(PassiveHealthCheckConfig? passive) =>
        (passive ?? new PassiveHealthCheckConfig { Enabled = true }) with
        {
            Policy = passive?.Policy ?? BackendFailuresPolicy.PolicyName,
            ReactivationPeriod = passive?.ReactivationPeriod ?? BackendFailuresPolicy.DefaultReactivationPeriod,
        };

    /// <summary>
    /// A YARP route to the ChatTTS cluster would send requests past the admission queue and its per-GPU cap; the edge
    /// alone sends syntheses there.
    /// </summary>
    public ValueTask<RouteConfig> ConfigureRouteAsync(RouteConfig route, ClusterConfig? cluster, CancellationToken cancel) =>
        string.Equals(route.ClusterId, BackendMetadata.ClusterId, StringComparison.OrdinalIgnoreCase)
            ? throw new EdgeConfigurationException($"ReverseProxy:Routes:{route.RouteId} points at the '{BackendMetadata.ClusterId}' cluster; syntheses reach it only through /v1/tts/stream, which enforces MaxConcurrency.")
            : ValueTask.FromResult(route);

    private static partial class Log
    {
        [LoggerMessage(LogEvents.SameServer, LogLevel.Warning, "Backends {First} and {Second} are the same server ({Authority}): each gets its own MaxConcurrency, so that GPU may run more syntheses at once than either allows")]
        public static partial void SameServer(ILogger logger, string first, string second, string authority);
    }
}
