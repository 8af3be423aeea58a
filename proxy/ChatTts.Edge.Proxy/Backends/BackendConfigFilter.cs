using ChatTts.Edge.Backends.Dialects;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.LoadBalancing;

namespace ChatTts.Edge.Backends;

/// <summary>
/// Checks the <c>chattts</c> cluster every time YARP loads configuration: an unknown dialect or a bad
/// <c>MaxConcurrency</c> stops the proxy at start-up (and a live reload with such a mistake is rejected,
/// keeping the previous backends). Every problem is reported at once. Also applies the edge's defaults.
/// </summary>
internal sealed class BackendConfigFilter(DialectRegistry dialects) : IProxyConfigFilter
{
    public ValueTask<ClusterConfig> ConfigureClusterAsync(ClusterConfig cluster, CancellationToken cancel)
    {
        if (!string.Equals(cluster.ClusterId, BackendMetadata.ClusterId, StringComparison.OrdinalIgnoreCase))
        {
            return ValueTask.FromResult(cluster);
        }

        var problems = new List<string>();
        foreach (var (id, destination) in cluster.Destinations ?? new Dictionary<string, DestinationConfig>())
        {
            var path = $"ReverseProxy:Clusters:{cluster.ClusterId}:Destinations:{id}";
            if (!Uri.TryCreate(destination.Address, UriKind.Absolute, out var address) || address.Scheme is not ("http" or "https"))
            {
                problems.Add($"{path}:Address is '{destination.Address}'; expected an absolute http:// or https:// URL such as http://gpu1:9700/.");
            }

            var dialect = BackendMetadata.GetDialect(cluster, destination);
            if (!dialects.TryGet(dialect, out _))
            {
                problems.Add($"{path}:Metadata:{BackendMetadata.Dialect} is '{dialect}'; expected one of: {string.Join(", ", dialects.Names)}.");
            }

            if (!BackendMetadata.TryGetMaxConcurrency(cluster, destination, out _))
            {
                problems.Add($"{path}:Metadata:{BackendMetadata.MaxConcurrency} must be a whole number of at least 1.");
            }
        }

        if (problems.Count > 0)
        {
            throw new InvalidOperationException("Invalid ChatTTS backend configuration:" + Environment.NewLine + string.Join(Environment.NewLine, problems));
        }

        return ValueTask.FromResult(cluster with
        {
            LoadBalancingPolicy = cluster.LoadBalancingPolicy ?? LoadBalancingPolicies.LeastRequests,
        });
    }

    public ValueTask<RouteConfig> ConfigureRouteAsync(RouteConfig route, ClusterConfig? cluster, CancellationToken cancel) =>
        ValueTask.FromResult(route);
}
