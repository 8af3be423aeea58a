using System.Collections.Frozen;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace ChatTts.Edge.Backends;

/// <summary>
/// Picks the destination of the <c>chattts</c> cluster for one synthesis, with the cluster's YARP
/// load-balancing policy over the destinations YARP currently considers available, that are not draining and
/// whose dialect can honour the request; and counts the syntheses each destination runs.
/// </summary>
internal sealed partial class BackendSelector(IProxyStateLookup proxyState, IEnumerable<ILoadBalancingPolicy> policies, DestinationSettingsCache settings, BackendActivity activity, TimeProvider time)
    : IBackendLeaseOwner
{
    private const string HealthyOrPanic = "HealthyOrPanic";

    private readonly FrozenDictionary<string, ILoadBalancingPolicy> _policies =
        policies.ToFrozenDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);

    /// <summary>What every destination runs now.</summary>
    public BackendActivity Activity => activity;

    /// <summary>
    /// Raised after a slot is given back (outside any lock), so waiting requests can take it; carries how long a
    /// synthesis held it, or null when the slot was given back unused.
    /// </summary>
    public event Action<TimeSpan?>? SlotFreed;

    /// <summary>
    /// Reserves a destination that is available, not draining, not in <paramref name="exclude"/>, able to honour
    /// <paramref name="request"/> and below its <c>MaxConcurrency</c>. Choosing and counting happen under one lock,
    /// so no destination ever exceeds its cap.
    /// </summary>
    /// <param name="share">The share of each destination's cap this process may use (1: all of it).</param>
    /// <param name="owner">Who the lease reports its end to instead of this selector (it hands the report on to <see cref="Release"/>); null: this selector.</param>
    public BackendSelection TryAcquire(HttpContext context, IReadOnlySet<string> exclude, BackendRequest request, double share = 1, IBackendLeaseOwner? owner = null)
    {
        if (!proxyState.TryGetCluster(BackendMetadata.ClusterId, out var cluster))
        {
            return BackendSelection.NoCandidates;
        }

        lock (activity.Gate)
        {
            var candidates = 0;
            var restricted = false;
            List<DestinationState>? withRoom = null;
            foreach (var candidate in cluster.DestinationsState.AvailableDestinations)
            {
                if (!IsCandidate(cluster, candidate, exclude, request))
                {
                    restricted = true;
                    continue;
                }

                candidates++;
                if (activity.InFlightUnlocked(candidate.DestinationId) < Cap(settings.For(cluster, candidate).MaxConcurrency, share))
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
                return candidates == 0 ? BackendSelection.NoCandidates : new BackendSelection(null, HasCandidates: true, restricted);
            }

            // LeastRequests reads YARP's count; the edge mirrors its own into it.
            destination.ConcurrentRequestCount = activity.Take(destination.DestinationId);
            var chosen = settings.For(cluster, destination);
            return new BackendSelection(new BackendLease(owner ?? this, cluster, destination, chosen.Dialect, chosen.FinishingTimeout, time), HasCandidates: true, restricted);
        }
    }

    /// <summary>True when some destination outside <paramref name="exclude"/> could take the request now or once it has room.</summary>
    public bool HasCandidate(IReadOnlySet<string> exclude, BackendRequest request)
    {
        if (!proxyState.TryGetCluster(BackendMetadata.ClusterId, out var cluster))
        {
            return false;
        }

        foreach (var candidate in cluster.DestinationsState.AvailableDestinations)
        {
            if (IsCandidate(cluster, candidate, exclude, request))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when every configured destination's dialect can honour <paramref name="request"/>.</summary>
    public bool ServesAnywhere(BackendRequest request)
    {
        if (!proxyState.TryGetCluster(BackendMetadata.ClusterId, out var cluster))
        {
            return true;
        }

        foreach (var destination in cluster.Destinations.Values)
        {
            if (settings.For(cluster, destination).Dialect.Unsupported(request) is not null)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Null when some configured destination (healthy or not) can honour <paramref name="request"/>, or none is
    /// configured; otherwise the field none can honour, with what the fleet's dialects accept instead.
    /// </summary>
    public UnsupportedField? Unsupported(BackendRequest request)
    {
        if (!proxyState.TryGetCluster(BackendMetadata.ClusterId, out var cluster) || cluster.Destinations.IsEmpty)
        {
            return null;
        }

        var refusals = new List<UnsupportedField>();
        foreach (var destination in cluster.Destinations.Values)
        {
            if (settings.For(cluster, destination).Dialect.Unsupported(request) is not { } refusal)
            {
                return null;
            }

            refusals.Add(refusal);
        }

        var accepted = refusals.Select(r => r.Accepted).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        return new UnsupportedField(refusals[0].Field, $"No backend of this proxy can take this {refusals[0].Field}: {string.Join("; ", accepted)}.");
    }

    /// <summary>Total <c>MaxConcurrency</c> of the destinations that can take work (times <paramref name="share"/>, rounded down).</summary>
    public int Capacity(double share = 1)
    {
        if (!proxyState.TryGetCluster(BackendMetadata.ClusterId, out var cluster))
        {
            return 0;
        }

        var capacity = 0;
        foreach (var candidate in cluster.DestinationsState.AvailableDestinations)
        {
            if (IsCandidate(cluster, candidate, FrozenSet<string>.Empty, request: null))
            {
                capacity += Cap(settings.For(cluster, candidate).MaxConcurrency, share);
            }
        }

        return capacity;
    }

    /// <summary>
    /// Slots free now, as this process counts them, on the destinations that could take <paramref name="request"/>
    /// (available, not draining, able to honour it): each one's cap (times <paramref name="share"/>) less its syntheses.
    /// </summary>
    public int Free(BackendRequest request, double share = 1)
    {
        if (!proxyState.TryGetCluster(BackendMetadata.ClusterId, out var cluster))
        {
            return 0;
        }

        var free = 0;
        lock (activity.Gate)
        {
            foreach (var candidate in cluster.DestinationsState.AvailableDestinations)
            {
                if (IsCandidate(cluster, candidate, FrozenSet<string>.Empty, request))
                {
                    free += Math.Max(0, Cap(settings.For(cluster, candidate).MaxConcurrency, share) - activity.InFlightUnlocked(candidate.DestinationId));
                }
            }
        }

        return free;
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
    private bool IsCandidate(ClusterState cluster, DestinationState destination, IReadOnlySet<string> exclude, BackendRequest? request)
    {
        if (exclude.Contains(destination.DestinationId)
            || (destination.Health.Passive == DestinationHealth.Unhealthy && !IsPanicRouting(cluster)))
        {
            return false;
        }

        var destinationSettings = settings.For(cluster, destination);
        return !destinationSettings.Draining && (request is null || destinationSettings.Dialect.Unsupported(request) is null);
    }

    private static int Cap(int maxConcurrency, double share) => share >= 1 ? maxConcurrency : (int)Math.Floor(maxConcurrency * share);

    private static bool IsPanicRouting(ClusterState cluster) =>
        string.Equals(cluster.Model.Config.HealthCheck?.AvailableDestinationsPolicy, HealthyOrPanic, StringComparison.OrdinalIgnoreCase);

    private ILoadBalancingPolicy Policy(ClusterState cluster) =>
        _policies.TryGetValue(cluster.Model.Config.LoadBalancingPolicy ?? LoadBalancingPolicies.LeastRequests, out var policy)
            ? policy
            : _policies[LoadBalancingPolicies.LeastRequests];
}

/// <summary>The outcome of <see cref="BackendSelector.TryAcquire"/>: a lease, or why there is none.</summary>
/// <param name="Restricted">Some available destination was no candidate for this request (excluded, draining, or unable to honour it).</param>
internal readonly record struct BackendSelection(BackendLease? Lease, bool HasCandidates, bool Restricted = false)
{
    /// <summary>No destination can serve the request: none configured, all unhealthy, draining or excluded.</summary>
    public static BackendSelection NoCandidates => new(null, HasCandidates: false);
}
