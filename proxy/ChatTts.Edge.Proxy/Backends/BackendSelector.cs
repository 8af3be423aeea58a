using System.Collections.Frozen;
using ChatTts.Edge.Backends.Dialects;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace ChatTts.Edge.Backends;

/// <summary>
/// Picks the destination of the <c>chattts</c> cluster for one synthesis, with the cluster's YARP
/// load-balancing policy over the destinations YARP currently considers available.
/// </summary>
internal sealed class BackendSelector(IProxyStateLookup proxyState, IEnumerable<ILoadBalancingPolicy> policies, DialectRegistry dialects)
{
    private readonly FrozenDictionary<string, ILoadBalancingPolicy> _policies =
        policies.ToFrozenDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);

    private readonly Lock _countLock = new();

    /// <summary>
    /// Reserves a destination that is available and below its <c>MaxConcurrency</c>, or returns null when there is
    /// none. Choosing and counting happen under one lock, so no destination ever exceeds its cap.
    /// </summary>
    public BackendLease? TryAcquire(HttpContext context)
    {
        if (!proxyState.TryGetCluster(BackendMetadata.ClusterId, out var cluster))
        {
            return null;
        }

        lock (_countLock)
        {
            var withRoom = new List<DestinationState>();
            foreach (var candidate in cluster.DestinationsState.AvailableDestinations)
            {
                BackendMetadata.TryGetMaxConcurrency(cluster.Model.Config, candidate.Model.Config, out var cap);
                if (candidate.ConcurrentRequestCount < cap)
                {
                    withRoom.Add(candidate);
                }
            }

            var destination = withRoom.Count switch
            {
                0 => null,
                1 => withRoom[0],
                _ => Policy(cluster).PickDestination(context, cluster, withRoom),
            };
            if (destination is null)
            {
                return null;
            }

            var dialectName = BackendMetadata.GetDialect(cluster.Model.Config, destination.Model.Config);
            if (!dialects.TryGet(dialectName, out var dialect))
            {
                // BackendConfigFilter rejects such configuration before it is applied.
                throw new InvalidOperationException($"Destination '{destination.DestinationId}' has the unknown dialect '{dialectName}'.");
            }

            destination.ConcurrentRequestCount++;
            return new BackendLease(this, cluster, destination, dialect);
        }
    }

    /// <summary>
    /// Gives back a slot taken by <see cref="TryAcquire"/>. YARP's per-destination request count (which
    /// <c>LeastRequests</c> reads) is kept by the edge, which sends syntheses itself rather than through YARP's
    /// forwarder; its public setter is not atomic, so every change happens under one lock.
    /// </summary>
    internal void Release(DestinationState destination)
    {
        lock (_countLock)
        {
            destination.ConcurrentRequestCount--;
        }
    }

    private ILoadBalancingPolicy Policy(ClusterState cluster) =>
        _policies.TryGetValue(cluster.Model.Config.LoadBalancingPolicy ?? LoadBalancingPolicies.LeastRequests, out var policy)
            ? policy
            : _policies[LoadBalancingPolicies.LeastRequests];
}
