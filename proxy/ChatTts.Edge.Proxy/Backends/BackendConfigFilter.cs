using ChatTts.Edge.Backends.Dialects;
using ChatTts.Edge.Backends.Health;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.LoadBalancing;

namespace ChatTts.Edge.Backends;

/// <summary>
/// Checks the <c>chattts</c> cluster every time YARP loads configuration: an unknown dialect or a bad
/// <c>MaxConcurrency</c> stops the proxy at start-up (and a live reload with such a mistake is rejected,
/// keeping the previous backends). Every problem is reported at once. Also applies the edge's defaults:
/// the <c>LeastRequests</c> policy, no "panic" routing to unhealthy destinations, and, when the cluster names no active health-check path, each
/// destination's own dialect's health path (YARP has one probe path per cluster; dialects differ), and passive
/// health with <see cref="BackendFailuresPolicy"/>.
/// </summary>
internal sealed class BackendConfigFilter(DialectRegistry dialects) : IProxyConfigFilter
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
        var probeByDialect = string.IsNullOrEmpty(cluster.HealthCheck?.Active?.Path);
        foreach (var (id, destination) in cluster.Destinations ?? new Dictionary<string, DestinationConfig>())
        {
            destinations[id] = destination;
            var path = $"ReverseProxy:Clusters:{cluster.ClusterId}:Destinations:{id}";
            if (!Uri.TryCreate(destination.Address, UriKind.Absolute, out var address) || address.Scheme is not ("http" or "https"))
            {
                problems.Add($"{path}:Address is '{destination.Address}'; expected an absolute http:// or https:// URL such as http://gpu1:9700/.");
            }

            var dialect = BackendMetadata.GetDialect(cluster, destination);
            if (dialects.TryGet(dialect, out var known))
            {
                if (probeByDialect && string.IsNullOrEmpty(destination.Health) && address is not null)
                {
                    destinations[id] = destination with { Health = BackendUri.Combine(address, known.HealthPath).AbsoluteUri };
                }
            }
            else
            {
                problems.Add($"{path}:Metadata:{BackendMetadata.Dialect} is '{dialect}'; expected one of: {string.Join(", ", dialects.Names)}.");
            }

            if (!BackendMetadata.TryGetMaxConcurrency(cluster, destination, out _))
            {
                problems.Add($"{path}:Metadata:{BackendMetadata.MaxConcurrency} must be a whole number of at least 1.");
            }

            if (!BackendMetadata.IsValidDraining(cluster, destination))
            {
                problems.Add($"{path}:Metadata:{BackendMetadata.Draining} must be true or false.");
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
                Passive = WithPassiveDefaults(cluster.HealthCheck?.Passive),
            },
        });
    }

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
}
