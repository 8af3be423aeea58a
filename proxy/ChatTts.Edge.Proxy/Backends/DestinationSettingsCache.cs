using System.Runtime.CompilerServices;
using ChatTts.Edge.Backends.Dialects;
using Yarp.ReverseProxy.Model;

namespace ChatTts.Edge.Backends;

/// <summary>
/// Each destination's <see cref="DestinationSettings"/>, parsed once per configuration: YARP gives a destination (and
/// its cluster) a new model object whenever their configuration changes, so a settings entry lives as long as the
/// models it was read from.
/// </summary>
internal sealed class DestinationSettingsCache(DialectRegistry dialects)
{
    private readonly ConditionalWeakTable<DestinationModel, Entry> _entries = [];

    public DestinationSettings For(ClusterState cluster, DestinationState destination)
    {
        var model = destination.Model;
        var clusterModel = cluster.Model;
        if (_entries.TryGetValue(model, out var entry) && ReferenceEquals(entry.Cluster, clusterModel))
        {
            return entry.Settings;
        }

        var settings = BackendMetadata.Parse(clusterModel.Config, model.Config, dialects);
        _entries.AddOrUpdate(model, new Entry(clusterModel, settings));
        return settings;
    }

    private sealed record Entry(ClusterModel Cluster, DestinationSettings Settings);
}
