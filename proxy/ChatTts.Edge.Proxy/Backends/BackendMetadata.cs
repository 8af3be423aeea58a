using System.Globalization;
using ChatTts.Edge.Backends.Dialects;
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

    /// <summary>
    /// How long a GPU slot stays taken after the edge abandons a synthesis while the server may still compute it
    /// (a TimeSpan such as <c>00:02:00</c>; <c>00:00:00</c> for a server that stops when its client leaves). The
    /// dialect's default otherwise (<see cref="IBackendDialect.FinishingTimeout"/>).
    /// </summary>
    public const string FinishingTimeout = "FinishingTimeout";

    /// <summary>
    /// Names the model (and its version) the server runs, for the replay cache: audio cached from a destination is
    /// served again only for destinations of the same dialect and <c>Model</c> (default empty). Change it when a
    /// server's model or weights change.
    /// </summary>
    public const string Model = "Model";

    /// <summary>The longest <see cref="Model"/> tag.</summary>
    public const int MaxModelLength = 200;

    public const string DefaultDialect = WebUiDialect.DialectName;
    public const int DefaultMaxConcurrency = 1;
    public static readonly TimeSpan MaxFinishingTimeout = TimeSpan.FromHours(1);

    public static string? Get(ClusterConfig cluster, DestinationConfig destination, string key) =>
        destination.Metadata?.GetValueOrDefault(key) ?? cluster.Metadata?.GetValueOrDefault(key);

    public static string GetDialect(ClusterConfig cluster, DestinationConfig destination) =>
        Get(cluster, destination, Dialect) is { Length: > 0 } name ? name : DefaultDialect;

    /// <summary>Every mistake in a destination's metadata, each naming its key under <paramref name="path"/>.</summary>
    public static IEnumerable<string> Problems(ClusterConfig cluster, DestinationConfig destination, DialectRegistry dialects, string path)
    {
        var dialect = GetDialect(cluster, destination);
        if (!dialects.TryGet(dialect, out _))
        {
            yield return $"{path}:Metadata:{Dialect} is '{dialect}'; expected one of: {string.Join(", ", dialects.Names)}.";
        }

        if (!TryGetMaxConcurrency(cluster, destination, out _))
        {
            yield return $"{path}:Metadata:{MaxConcurrency} must be a whole number of at least 1.";
        }

        if (Get(cluster, destination, Draining) is { } draining && !bool.TryParse(draining, out _))
        {
            yield return $"{path}:Metadata:{Draining} must be true or false.";
        }

        if (Get(cluster, destination, FinishingTimeout) is { } finishing && !TryParseFinishingTimeout(finishing, out _))
        {
            yield return $"{path}:Metadata:{FinishingTimeout} is '{finishing}'; expected a duration from 00:00:00 to {MaxFinishingTimeout:c}, such as 00:02:00.";
        }

        if (Get(cluster, destination, Model) is { } model && (model.Length > MaxModelLength || model.Any(char.IsControl)))
        {
            yield return $"{path}:Metadata:{Model} must be at most {MaxModelLength} characters with no control characters, such as chattts-v0.2.";
        }
    }

    /// <summary>The settings of a destination whose metadata <see cref="Problems"/> found no mistake in.</summary>
    public static DestinationSettings Parse(ClusterConfig cluster, DestinationConfig destination, DialectRegistry dialects)
    {
        var name = GetDialect(cluster, destination);
        if (!dialects.TryGet(name, out var dialect))
        {
            // BackendConfigFilter rejects such configuration before it is applied.
            throw new InvalidOperationException($"Destination '{destination.Address}' has the unknown dialect '{name}'.");
        }

        TryGetMaxConcurrency(cluster, destination, out var cap);
        var finishing = Get(cluster, destination, FinishingTimeout) is { } raw && TryParseFinishingTimeout(raw, out var parsed) ? parsed : dialect.FinishingTimeout;
        return new DestinationSettings(dialect, cap, bool.TryParse(Get(cluster, destination, Draining), out var draining) && draining, finishing, Get(cluster, destination, Model) ?? "");
    }

    private static bool TryGetMaxConcurrency(ClusterConfig cluster, DestinationConfig destination, out int value)
    {
        var raw = Get(cluster, destination, MaxConcurrency);
        if (raw is null)
        {
            value = DefaultMaxConcurrency;
            return true;
        }

        return int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= 1;
    }

    /// <summary>A duration with a colon: a bare number would read as days.</summary>
    private static bool TryParseFinishingTimeout(string raw, out TimeSpan value)
    {
        value = default;
        return raw.Contains(':', StringComparison.Ordinal)
            && TimeSpan.TryParse(raw, CultureInfo.InvariantCulture, out value)
            && value >= TimeSpan.Zero && value <= MaxFinishingTimeout;
    }
}

/// <summary>The edge's settings of one destination, read from its <c>Metadata</c> and its cluster's.</summary>
/// <param name="Model">The <see cref="BackendMetadata.Model"/> tag; empty when none is set.</param>
internal sealed record DestinationSettings(IBackendDialect Dialect, int MaxConcurrency, bool Draining, TimeSpan FinishingTimeout, string Model);

/// <summary>What decides the audio a destination makes of a request besides the request itself: its dialect and model tag.</summary>
internal readonly record struct BackendModel(string Dialect, string Model);
