using System.Collections;
using System.Reflection;
using ChatTts.Edge.Backends;
using ChatTts.Edge.Backends.Health;
using ChatTts.Edge.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Yarp.ReverseProxy.Configuration;

namespace ChatTts.Edge.Tests.Operations;

/// <summary>
/// The configuration keys the proxy reads, taken from the proxy itself so the list never goes stale: every <c>Edge</c>
/// section it binds (the <see cref="EdgeOptionsSection"/>s a running proxy registered, walked through their options
/// types' properties), YARP's <c>ReverseProxy</c> schema (its configuration types) and the edge's keys in YARP
/// <c>Metadata</c>. Case-insensitive, as .NET configuration is.
/// </summary>
internal sealed class ProxyConfigurationKeys
{
    /// <summary>Top-level sections that belong to ASP.NET Core itself; their keys are not the edge's to check.</summary>
    private static readonly string[] FrameworkSections = ["Logging", "Kestrel", "AllowedHosts", "Urls"];

    /// <summary>The keys the edge reads in a cluster's or destination's <c>Metadata</c>.</summary>
    private static readonly string[] MetadataKeys =
    [
        BackendMetadata.Dialect,
        BackendMetadata.MaxConcurrency,
        BackendMetadata.Draining,
        BackendMetadata.FinishingTimeout,
        BackendFailuresPolicy.ThresholdKey,
        BusyAwareProbePolicy.ThresholdKey,
    ];

    private readonly IReadOnlyList<(string Path, Type Type)> _sections;

    private ProxyConfigurationKeys(IReadOnlyList<(string Path, Type Type)> sections) => _sections = sections;

    /// <summary>The sections a running proxy (its <paramref name="services"/>) binds.</summary>
    public static ProxyConfigurationKeys Of(IServiceProvider services) =>
        new([.. services.GetServices<EdgeOptionsSection>().Select(s => (s.Path, s.OptionsType))]);

    /// <summary>
    /// Why <paramref name="key"/> (<c>Section:Key</c> form, array items as <c>:0</c>) is not a setting of the proxy, or
    /// null when it is one.
    /// </summary>
    public string? Problem(string key)
    {
        var segments = key.Split(':');
        if (Is(segments[0], "Edge"))
        {
            var sections = _sections.Where(s => key.StartsWith(s.Path + ":", StringComparison.OrdinalIgnoreCase) || Is(key, s.Path)).ToList();
            if (sections.Count == 0)
            {
                return $"{key}: the proxy has no section {string.Join(':', segments.Take(2))} (it has {string.Join(", ", _sections.Select(s => s.Path).Distinct().Order(StringComparer.Ordinal))})";
            }

            return sections.Any(s => Accepts(s.Type, segments.AsSpan(s.Path.Split(':').Length)))
                ? null
                : $"{key}: not a setting of {string.Join(" or ", sections.Select(s => s.Type.Name).Distinct())} (section {sections[0].Path})";
        }

        if (Is(segments[0], "ReverseProxy"))
        {
            return ReverseProxyProblem(key, segments);
        }

        return FrameworkSections.Any(s => Is(segments[0], s)) ? null : $"{key}: neither Edge, ReverseProxy nor one of ASP.NET Core's sections ({string.Join(", ", FrameworkSections)})";
    }

    /// <summary>
    /// The configuration key of environment variable <paramref name="name"/> (<c>Edge__Admin__ApiKey</c> is
    /// <c>Edge:Admin:ApiKey</c>), or null for a variable that is no configuration key (<c>ASPNETCORE_URLS</c>).
    /// </summary>
    public static string? KeyOfVariable(string name) =>
        name.Contains("__", StringComparison.Ordinal) ? name.Replace("__", ":", StringComparison.Ordinal) : null;

    private static string? ReverseProxyProblem(string key, string[] segments)
    {
        // ReverseProxy:Clusters:<id>:… and ReverseProxy:Routes:<id>:…, as YARP's configuration provider reads them.
        var type = segments.Length > 2 && Is(segments[1], "Clusters") ? typeof(ClusterConfig)
            : segments.Length > 2 && Is(segments[1], "Routes") ? typeof(RouteConfig)
            : null;
        if (type is null || !Accepts(type, segments.AsSpan(3)))
        {
            return $"{key}: not in YARP's schema (ReverseProxy:Clusters:<id>:… of {nameof(ClusterConfig)}, ReverseProxy:Routes:<id>:… of {nameof(RouteConfig)})";
        }

        var metadata = Array.FindIndex(segments, s => Is(s, nameof(ClusterConfig.Metadata)));
        return type == typeof(ClusterConfig) && metadata >= 0 && !MetadataKeys.Any(k => Is(k, segments[metadata + 1]))
            ? $"{key}: the edge reads no Metadata key {segments[metadata + 1]} (it reads {string.Join(", ", MetadataKeys)})"
            : null;
    }

    /// <summary>Whether <paramref name="segments"/> lead, property by property, from <paramref name="type"/> to a value the binder fills.</summary>
    private static bool Accepts(Type type, ReadOnlySpan<string> segments)
    {
        if (segments.IsEmpty)
        {
            return true;
        }

        type = Nullable.GetUnderlyingType(type) ?? type;
        if (IsScalar(type))
        {
            return false;
        }

        if (DictionaryValue(type) is { } value)
        {
            return Accepts(value, segments[1..]);
        }

        if (ElementType(type) is { } element)
        {
            return int.TryParse(segments[0], out _) && Accepts(element, segments[1..]);
        }

        return type.GetProperty(segments[0], BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase) is { } property
            && Accepts(property.PropertyType, segments[1..]);
    }

    private static bool IsScalar(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan)
        || type == typeof(Uri) || type == typeof(DateTimeOffset) || type == typeof(DateTime) || type == typeof(Guid)
        || type == typeof(Version);

    private static Type? DictionaryValue(Type type) =>
        new[] { type }.Concat(type.GetInterfaces())
            .Where(t => t.IsGenericType && t.GetGenericTypeDefinition() is var d && (d == typeof(IDictionary<,>) || d == typeof(IReadOnlyDictionary<,>)))
            .Select(t => t.GetGenericArguments())
            .Where(a => a[0] == typeof(string))
            .Select(a => a[1])
            .FirstOrDefault();

    private static Type? ElementType(Type type) =>
        type.IsArray ? type.GetElementType()
        : typeof(IEnumerable).IsAssignableFrom(type) && type.IsGenericType && type.GetGenericArguments() is [var element] ? element
        : null;

    private static bool Is(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
}
