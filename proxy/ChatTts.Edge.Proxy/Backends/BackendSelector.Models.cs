using System.Collections.Frozen;

namespace ChatTts.Edge.Backends;

/// <summary>Which dialects and models could serve a request: what the replay cache looks entries up by.</summary>
internal sealed partial class BackendSelector
{
    /// <summary>
    /// The distinct dialect and model tags of the destinations that could take <paramref name="request"/> now or once
    /// they have room (available, not draining, able to honour it): the same candidates a synthesis would choose among.
    /// </summary>
    public IReadOnlyList<BackendModel> CandidateModels(BackendRequest request)
    {
        if (!proxyState.TryGetCluster(BackendMetadata.ClusterId, out var cluster))
        {
            return [];
        }

        List<BackendModel>? models = null;
        foreach (var candidate in cluster.DestinationsState.AvailableDestinations)
        {
            if (IsCandidate(cluster, candidate, FrozenSet<string>.Empty, request))
            {
                var destination = settings.For(cluster, candidate);
                var model = new BackendModel(destination.Dialect.Name, destination.Model);
                models ??= [];
                if (!models.Contains(model))
                {
                    models.Add(model);
                }
            }
        }

        return models ?? (IReadOnlyList<BackendModel>)[];
    }

    /// <summary>The dialect and model tag of the destination <paramref name="destinationId"/>; null when the cluster no longer lists it.</summary>
    public BackendModel? ModelOf(string destinationId)
    {
        if (!proxyState.TryGetCluster(BackendMetadata.ClusterId, out var cluster) || !cluster.Destinations.TryGetValue(destinationId, out var destination))
        {
            return null;
        }

        var chosen = settings.For(cluster, destination);
        return new BackendModel(chosen.Dialect.Name, chosen.Model);
    }
}
