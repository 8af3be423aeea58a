using System.Collections.Frozen;
using ChatTts.Edge.Backends.Dialects;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace ChatTts.Edge.Backends;

/// <summary>
/// Picks the destination of the <c>chattts</c> cluster for one synthesis, with the cluster's YARP
/// load-balancing policy over the destinations YARP currently considers available and that are not draining.
/// </summary>
internal sealed class BackendSelector(IProxyStateLookup proxyState, IEnumerable<ILoadBalancingPolicy> policies, DialectRegistry dialects, TimeProvider time)
{
    private readonly FrozenDictionary<string, ILoadBalancingPolicy> _policies =
        policies.ToFrozenDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);

    private const string HealthyOrPanic = "HealthyOrPanic";

    private readonly Lock _countLock = new();

    /// <summary>
    /// Syntheses in flight per destination id. Kept by the edge, not on YARP's <c>DestinationState</c>: a destination
    /// removed and added again by a configuration reload gets a fresh state object (with a count of 0) while its old
    /// streams still run, and the cap must hold across that.
    /// </summary>
    private readonly Dictionary<string, int> _inFlight = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Raised after a slot is given back (outside any lock), so waiting requests can take it; carries how long a
    /// synthesis held it, or null when the slot was given back unused.
    /// </summary>
    public event Action<TimeSpan?>? SlotFreed;

    /// <summary>
    /// Reserves a destination that is available, not draining, not in <paramref name="exclude"/> and below its
    /// <c>MaxConcurrency</c>. Choosing and counting happen under one lock, so no destination ever exceeds its cap.
    /// </summary>
    public BackendSelection TryAcquire(HttpContext context, IReadOnlySet<string> exclude)
    {
        if (!proxyState.TryGetCluster(BackendMetadata.ClusterId, out var cluster))
        {
            return BackendSelection.NoCandidates;
        }

        lock (_countLock)
        {
            var candidates = 0;
            List<DestinationState>? withRoom = null;
            foreach (var candidate in cluster.DestinationsState.AvailableDestinations)
            {
                if (!IsCandidate(cluster, candidate, exclude))
                {
                    continue;
                }

                candidates++;
                BackendMetadata.TryGetMaxConcurrency(cluster.Model.Config, candidate.Model.Config, out var cap);
                if (InFlight(candidate.DestinationId) < cap)
                {
                    (withRoom ??= []).Add(candidate);
                }
            }

            var destination = withRoom switch
            {
                null => null,
                [var only] => only,
                _ => Policy(cluster).PickDestination(context, cluster, withRoom),
            };
            if (destination is null)
            {
                return candidates == 0 ? BackendSelection.NoCandidates : BackendSelection.AllBusy;
            }

            var dialectName = BackendMetadata.GetDialect(cluster.Model.Config, destination.Model.Config);
            if (!dialects.TryGet(dialectName, out var dialect))
            {
                // BackendConfigFilter rejects such configuration before it is applied.
                throw new InvalidOperationException($"Destination '{destination.DestinationId}' has the unknown dialect '{dialectName}'.");
            }

            // LeastRequests reads YARP's count; the edge mirrors its own into it.
            destination.ConcurrentRequestCount = _inFlight[destination.DestinationId] = InFlight(destination.DestinationId) + 1;
            return new BackendSelection(new BackendLease(this, cluster, destination, dialect, time.GetTimestamp()), HasCandidates: true);
        }
    }

    /// <summary>True when some destination outside <paramref name="exclude"/> could take work now or once it has room.</summary>
    public bool HasCandidate(IReadOnlySet<string> exclude)
    {
        if (!proxyState.TryGetCluster(BackendMetadata.ClusterId, out var cluster))
        {
            return false;
        }

        foreach (var candidate in cluster.DestinationsState.AvailableDestinations)
        {
            if (IsCandidate(cluster, candidate, exclude))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Total <c>MaxConcurrency</c> of the destinations that can take work.</summary>
    public int Capacity()
    {
        if (!proxyState.TryGetCluster(BackendMetadata.ClusterId, out var cluster))
        {
            return 0;
        }

        var capacity = 0;
        foreach (var candidate in cluster.DestinationsState.AvailableDestinations)
        {
            if (IsCandidate(cluster, candidate, FrozenSet<string>.Empty))
            {
                BackendMetadata.TryGetMaxConcurrency(cluster.Model.Config, candidate.Model.Config, out var cap);
                capacity += cap;
            }
        }

        return capacity;
    }

    /// <summary>
    /// Gives back a slot taken by <see cref="TryAcquire"/>. YARP's per-destination request count (which
    /// <c>LeastRequests</c> reads) is kept by the edge, which sends syntheses itself rather than through YARP's
    /// forwarder; its public setter is not atomic, so every change happens under one lock.
    /// </summary>
    internal void Release(DestinationState destination, long acquiredAt, bool used)
    {
        lock (_countLock)
        {
            var left = InFlight(destination.DestinationId) - 1;
            if (left > 0)
            {
                _inFlight[destination.DestinationId] = left;
            }
            else
            {
                _inFlight.Remove(destination.DestinationId);
            }

            // Mirror into the destination's current state object, which a reload may have replaced.
            var current = proxyState.TryGetCluster(BackendMetadata.ClusterId, out var cluster)
                && cluster.Destinations.TryGetValue(destination.DestinationId, out var state) ? state : destination;
            current.ConcurrentRequestCount = Math.Max(left, 0);
        }

        SlotFreed?.Invoke(used ? time.GetElapsedTime(acquiredAt) : null);
    }

    /// <summary>Syntheses the edge runs on <paramref name="destinationId"/> now.</summary>
    public int InFlight(string destinationId)
    {
        lock (_countLock)
        {
            return _inFlight.GetValueOrDefault(destinationId);
        }
    }

    /// <summary>True when the cluster lists any destination outside <paramref name="exclude"/>, healthy or not.</summary>
    public bool HasConfigured(IReadOnlySet<string> exclude)
    {
        if (!proxyState.TryGetCluster(BackendMetadata.ClusterId, out var cluster))
        {
            return false;
        }

        foreach (var id in cluster.Destinations.Keys)
        {
            if (!exclude.Contains(id))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// YARP recomputes <c>AvailableDestinations</c> on the thread pool after a passive health change; the edge reads
    /// the destination's own passive state as well, so a failure it just reported keeps the very next request away.
    /// </summary>
    private static bool IsCandidate(ClusterState cluster, DestinationState destination, IReadOnlySet<string> exclude) =>
        !exclude.Contains(destination.DestinationId)
        && !BackendMetadata.IsDraining(cluster.Model.Config, destination.Model.Config)
        && (destination.Health.Passive != DestinationHealth.Unhealthy || IsPanicRouting(cluster));

    private static bool IsPanicRouting(ClusterState cluster) =>
        string.Equals(cluster.Model.Config.HealthCheck?.AvailableDestinationsPolicy, HealthyOrPanic, StringComparison.OrdinalIgnoreCase);

    private ILoadBalancingPolicy Policy(ClusterState cluster) =>
        _policies.TryGetValue(cluster.Model.Config.LoadBalancingPolicy ?? LoadBalancingPolicies.LeastRequests, out var policy)
            ? policy
            : _policies[LoadBalancingPolicies.LeastRequests];
}

/// <summary>The outcome of <see cref="BackendSelector.TryAcquire"/>: a lease, or why there is none.</summary>
internal readonly record struct BackendSelection(BackendLease? Lease, bool HasCandidates)
{
    /// <summary>Some destination could serve the request once it has room.</summary>
    public static BackendSelection AllBusy => new(null, HasCandidates: true);

    /// <summary>No destination can serve the request: none configured, all unhealthy, draining or excluded.</summary>
    public static BackendSelection NoCandidates => new(null, HasCandidates: false);
}
