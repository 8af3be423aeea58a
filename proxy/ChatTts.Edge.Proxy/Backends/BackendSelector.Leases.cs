namespace ChatTts.Edge.Backends;

/// <summary>Slots chosen elsewhere (the fleet's, in Redis), and giving slots back.</summary>
internal sealed partial class BackendSelector
{
    /// <summary>
    /// The destinations that could take <paramref name="request"/> now (available, not draining, not in
    /// <paramref name="exclude"/>, able to honour it) with their <c>MaxConcurrency</c>, in the order to prefer on a tie.
    /// </summary>
    public IReadOnlyList<(string Id, int MaxConcurrency)> Candidates(IReadOnlySet<string> exclude, BackendRequest request)
    {
        if (!proxyState.TryGetCluster(BackendMetadata.ClusterId, out var cluster))
        {
            return [];
        }

        var candidates = new List<(string, int)>();
        foreach (var candidate in cluster.DestinationsState.AvailableDestinations)
        {
            if (IsCandidate(cluster, candidate, exclude, request))
            {
                candidates.Add((candidate.DestinationId, settings.For(cluster, candidate).MaxConcurrency));
            }
        }

        // Ties go to a different destination each time, as YARP's policies spread equal choices.
        Random.Shared.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(candidates));
        return candidates;
    }

    /// <summary>
    /// A lease on <paramref name="destinationId"/>, whose slot <paramref name="owner"/> took elsewhere; this process counts
    /// it too (for <c>/admin/backends</c>, the metrics and <c>LeastRequests</c>), whatever its cap. Null when the
    /// destination is no longer configured.
    /// </summary>
    public BackendLease? Take(string destinationId, IBackendLeaseOwner owner)
    {
        if (!proxyState.TryGetCluster(BackendMetadata.ClusterId, out var cluster) || !cluster.Destinations.TryGetValue(destinationId, out var destination))
        {
            return null;
        }

        lock (activity.Gate)
        {
            destination.ConcurrentRequestCount = activity.Take(destinationId);
        }

        var chosen = settings.For(cluster, destination);
        return new BackendLease(owner, cluster, destination, chosen.Dialect, chosen.FinishingTimeout, time);
    }

    /// <summary>Counts a slot whose synthesis the edge abandoned while the GPU may still compute it.</summary>
    public void Finishing(BackendLease lease)
    {
        ArgumentNullException.ThrowIfNull(lease);
        activity.StartFinishing(lease.DestinationId);
    }

    /// <summary>
    /// Counts a slot as given back. YARP's per-destination request count (which <c>LeastRequests</c> reads) is kept by the
    /// edge, which sends syntheses itself rather than through YARP's forwarder; its public setter is not atomic, so every
    /// change happens under one lock.
    /// </summary>
    public void Release(BackendLease lease, LeaseEnd end)
    {
        ArgumentNullException.ThrowIfNull(lease);
        var id = lease.DestinationId;
        lock (activity.Gate)
        {
            var left = activity.Give(id, end.Finished, end.SentAudio);

            // Mirror into the destination's current state object, which a reload may have replaced.
            var current = proxyState.TryGetCluster(BackendMetadata.ClusterId, out var cluster)
                && cluster.Destinations.TryGetValue(id, out var state) ? state : lease.Destination;
            current.ConcurrentRequestCount = left;
        }

        SlotFreed?.Invoke(end.Used ? end.Held : null);
    }
}
