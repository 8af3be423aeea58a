using ChatTts.Emulator;

namespace ChatTts.Edge.LoadTests.Environment;

/// <summary>What to start: how many emulated GPUs and how they behave, and extra proxy configuration.</summary>
/// <param name="ProxyConfiguration">Configuration keys in <c>Section:Key</c> form, passed as environment variables.</param>
/// <param name="MaxConcurrency">Every destination's <c>Metadata:MaxConcurrency</c>; null leaves the cluster's (one synthesis at a time).</param>
internal sealed record EnvironmentSettings(
    int Backends,
    string Dialect,
    SpeechEngine Engine,
    double RealTimeFactor,
    TimeSpan FirstChunkDelay,
    IReadOnlyDictionary<string, string> ProxyConfiguration,
    int? MaxConcurrency = null);
