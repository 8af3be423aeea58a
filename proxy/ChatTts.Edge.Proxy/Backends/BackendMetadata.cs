using System.Globalization;
using Yarp.ReverseProxy.Configuration;

namespace ChatTts.Edge.Backends;

/// <summary>
/// The edge's keys in YARP <c>Metadata</c> (a configuration contract). A destination's value wins over
/// its cluster's, which wins over the default.
/// </summary>
internal static class BackendMetadata
{
    public const string ClusterId = "chattts";
    public const string Dialect = "Dialect";
    public const string MaxConcurrency = "MaxConcurrency";

    /// <summary><c>true</c> stops new work on a destination while the syntheses it runs finish.</summary>
    public const string Draining = "Draining";

    public const string DefaultDialect = Dialects.WebUiDialect.DialectName;
    public const int DefaultMaxConcurrency = 1;

    public static string? Get(ClusterConfig cluster, DestinationConfig destination, string key) =>
        destination.Metadata?.GetValueOrDefault(key) ?? cluster.Metadata?.GetValueOrDefault(key);

    public static string GetDialect(ClusterConfig cluster, DestinationConfig destination) =>
        Get(cluster, destination, Dialect) is { Length: > 0 } name ? name : DefaultDialect;

    public static bool IsDraining(ClusterConfig cluster, DestinationConfig destination) =>
        bool.TryParse(Get(cluster, destination, Draining), out var draining) && draining;

    public static bool IsValidDraining(ClusterConfig cluster, DestinationConfig destination) =>
        Get(cluster, destination, Draining) is not { } raw || bool.TryParse(raw, out _);

    public static bool TryGetMaxConcurrency(ClusterConfig cluster, DestinationConfig destination, out int value)
    {
        var raw = Get(cluster, destination, MaxConcurrency);
        if (raw is null)
        {
            value = DefaultMaxConcurrency;
            return true;
        }

        return int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= 1;
    }
}
