using System.Globalization;
using ChatTts.Edge.LoadTests.CommandLine;
using ChatTts.Edge.LoadTests.Environment;
using ChatTts.Edge.TestKit;
using ChatTts.Emulator;

namespace ChatTts.Edge.LoadTests.Scenarios.Repeats;

/// <summary>The repeats scenario's options, its requests and the emulated GPUs' pace.</summary>
/// <param name="Requests">Streams of the mixed workload.</param>
/// <param name="Clients">Streams under way at once (a closed loop: each client sends its next request when its stream ends).</param>
/// <param name="Gpus">Emulated GPUs behind the proxy.</param>
/// <param name="RepeatShare">The share of requests that repeat an earlier seeded request that has ended.</param>
/// <param name="FirstAudio">Each emulated GPU's delay before its first audio.</param>
/// <param name="RealTimeFactor">Each emulated GPU's synthesis time per second of audio after the first.</param>
/// <param name="LoopbackStreams">Cached streams measured one at a time with instant emulators: the edge's own time to first audio.</param>
internal sealed record RepeatsSettings(
    int Requests, int Clients, int Gpus, double RepeatShare, TimeSpan FirstAudio, double RealTimeFactor, int LoopbackStreams, int ChunkMs, IReadOnlyList<string> Thresholds)
{
    public const string Dialect = "webui";

    /// <summary>Distinct requests the loopback phase stores first and then repeats in turn.</summary>
    public const int LoopbackDistinct = 10;

    /// <summary>The random choices of the workload (which requests repeat, and which earlier one) are the same every run.</summary>
    public const int WorkloadSeed = 17;

    public static readonly RunDefaults Defaults = new(TimeSpan.FromSeconds(1), TimeSpan.Zero);

    public static readonly IReadOnlyList<OptionHelp> Options =
    [
        new("--threshold <m>=<limit>", "overrides or adds a threshold, e.g. loopback.ttfa.cached.p99=10ms (repeatable)"),
        new("--requests <n>", "streams of the mixed workload (default 120)"),
        new("--clients <n>", "streams under way at once, closed loop (default 4)"),
        new("--gpus <n>", "emulated GPUs (default 4)"),
        new("--repeat-share <x>", "share of requests that repeat an earlier seeded one, 0–1 (default 0.3)"),
        new("--first-audio <time>", "each emulated GPU's first-audio delay (default 1.5s)"),
        new("--rtf <x>", "each emulated GPU's real-time factor (default 0.3)"),
        new("--loopback-streams <n>", "cached streams, one at a time, with instant emulators (default 300)"),
        new("--chunk-ms <n>", "chunk_ms of every stream (default 200)"),
    ];

    public static RepeatsSettings Read(CommandLineArguments arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        return new RepeatsSettings(
            arguments.GetInt32("--requests", 120, 1, 100_000),
            arguments.GetInt32("--clients", 4, 1, 1000),
            arguments.GetInt32("--gpus", 4, 1, 64),
            arguments.GetDouble("--repeat-share", 0.3, 0, 1),
            arguments.GetDuration("--first-audio", TimeSpan.FromSeconds(1.5)),
            arguments.GetDouble("--rtf", 0.3, 0, 10),
            arguments.GetInt32("--loopback-streams", 300, 1, 100_000),
            arguments.GetInt32("--chunk-ms", 200, 20, 2000),
            arguments.GetAll("--threshold"));
    }

    /// <summary>The mixed workload's GPUs: at the scenario's pace, one synthesis at a time each, as ChatTTS.</summary>
    public EnvironmentSettings Paced() => new(Gpus, Dialect, SpeechEngine.Synthetic, RealTimeFactor, FirstAudio, ProxyConfiguration);

    /// <summary>One GPU as fast as the emulator goes: what is left of a cached stream's first audio is the edge's own time.</summary>
    public static EnvironmentSettings Instant() => new(1, Dialect, SpeechEngine.Synthetic, 0, TimeSpan.Zero, ProxyConfiguration);

    /// <summary>Request <paramref name="number"/>'s own text and seed (a repeat sends an earlier number's again).</summary>
    public Uri StreamUrl(Uri proxy, long number) => new(proxy, string.Create(CultureInfo.InvariantCulture,
        $"/v1/tts/stream?chunk_ms={ChunkMs}&seed={1000 + number}&text={Uri.EscapeDataString(Text(number))}"));

    public static string Text(long number) => string.Create(CultureInfo.InvariantCulture,
        $"Request {number} asks the assistant about item number {number * 13} on today's menu, and how to order it.");

    /// <summary>Callers without a key on an unlimited plan: the run measures the cache, not quotas.</summary>
    private static readonly Dictionary<string, string> ProxyConfiguration = new(QuotaSettings.UnlimitedAnonymous(), StringComparer.Ordinal)
    {
        ["Logging:LogLevel:Default"] = "Warning",
        ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Information",
    };
}
