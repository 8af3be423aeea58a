using ChatTts.Emulator;

namespace ChatTts.Edge.LoadTests.Environment;

/// <summary>What to start: how many emulated GPUs and how they behave, and extra proxy configuration.</summary>
/// <param name="ProxyConfiguration">Configuration keys in <c>Section:Key</c> form, passed as environment variables.</param>
/// <param name="MaxConcurrency">Every destination's <c>Metadata:MaxConcurrency</c>; null leaves the cluster's (one synthesis at a time).</param>
/// <param name="EmulatorConcurrency">Syntheses each emulator runs at once: 1 as a ChatTTS process, more for scenarios
/// that measure the proxy rather than the GPUs.</param>
/// <param name="Replicas">Proxy processes, configured alike in front of the same GPUs (as a deployment scales the edge
/// horizontally, its shared state in one Redis).</param>
/// <param name="ProxyCpus">The CPUs the proxy process runs on (a taskset list); null for any.</param>
internal sealed record EnvironmentSettings(
    int Backends,
    string Dialect,
    SpeechEngine Engine,
    double RealTimeFactor,
    TimeSpan FirstChunkDelay,
    IReadOnlyDictionary<string, string> ProxyConfiguration,
    int? MaxConcurrency = null,
    int EmulatorConcurrency = 1,
    string? ProxyCpus = null,
    int Replicas = 1)
{
    /// <summary>These settings with <paramref name="extra"/> proxy configuration on top (an operator's <c>--proxy-setting</c>s).</summary>
    public EnvironmentSettings WithProxySettings(IReadOnlyDictionary<string, string> extra)
    {
        ArgumentNullException.ThrowIfNull(extra);
        if (extra.Count == 0)
        {
            return this;
        }

        var merged = new Dictionary<string, string>(ProxyConfiguration, StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in extra)
        {
            merged[key] = value;
        }

        return this with { ProxyConfiguration = merged };
    }
}
