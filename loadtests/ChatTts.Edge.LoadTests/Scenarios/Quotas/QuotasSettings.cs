using System.Globalization;
using ChatTts.Edge.LoadTests.CommandLine;
using ChatTts.Edge.LoadTests.Environment;
using ChatTts.Edge.TestKit;
using ChatTts.Emulator;

namespace ChatTts.Edge.LoadTests.Scenarios.Quotas;

/// <summary>The two ways the proxy runs in this scenario.</summary>
internal enum QuotaMode
{
    /// <summary>Quotas in effect off: anonymous callers, a plan nobody reaches, the in-memory store.</summary>
    Off,

    /// <summary>Quotas on: one API key whose plan sets all four limits, state in Redis.</summary>
    On,
}

/// <summary>The quotas scenario's own options, and the proxy configuration of each mode.</summary>
internal sealed record QuotasSettings(
    int Backends, int Clients, int ChunkMs, int Rounds, TimeSpan LeadIn, TimeSpan MaxQuotaP99, double MinThroughputRatio, TimeSpan ThinkTime)
{
    public const string Dialect = "chattts-openai";

    /// <summary>Short, so that a stream is mostly the proxy's own work: about a second of audio, made at once (RTF 0).</summary>
    public const string Text = "Hello world.";

    /// <summary>Per destination, far above the clients per GPU, so admission never queues.</summary>
    public const int MaxConcurrency = 64;

    public const string KeyId = "loadtest";
    public const string Plan = "load";
    public const string ApiKeyHeader = "X-Api-Key";

    public static readonly RunDefaults Defaults = new(TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(2));

    public static readonly IReadOnlyList<OptionHelp> Options =
    [
        new("--backends <n>", "emulated GPUs, answering as fast as they can (default 4)"),
        new("--clients <n>", "concurrent closed-loop clients (default 32)"),
        new("--chunk-ms <n>", "chunk_ms of every stream (default 200)"),
        new("--rounds <n>", "rounds of one run per mode, in the order off-on, on-off, … (default 1)"),
        new("--lead-in <time>", "an unmeasured run (quotas off) first, so the clients' and emulators' code is warm (default 5s; 0s: none)"),
        new("--max-quota-p99 <time>", "threshold for the quota check's p99 with Redis, from Server-Timing (default 1ms)"),
        new("--min-throughput-ratio <x>", "threshold for streams/s with Redis quotas ÷ without (default 0.9)"),
        new("--think-time <time>", "each client's pause between two streams, for a load below saturation (default 0s)"),
    ];

    /// <summary>The API key the clients send in the quotas-on runs: new for every invocation; the proxy gets only its SHA-256.</summary>
    public string Secret { get; } = QuotaSettings.NewSecret();

    public static QuotasSettings Read(CommandLineArguments arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        return new QuotasSettings(
            arguments.GetInt32("--backends", 4, 1, 64),
            arguments.GetInt32("--clients", 32, 1, 10_000),
            arguments.GetInt32("--chunk-ms", 200, 1, 60_000),
            arguments.GetInt32("--rounds", 1, 1, 100),
            arguments.GetDuration("--lead-in", TimeSpan.FromSeconds(5)),
            arguments.GetDuration("--max-quota-p99", TimeSpan.FromMilliseconds(1)),
            arguments.GetDouble("--min-throughput-ratio", 0.9, 0, 10),
            arguments.GetDuration("--think-time", TimeSpan.Zero));
    }

    /// <summary>Which mode runs when: each round runs both, in alternating order, so a drift over time hits both alike.</summary>
    public IEnumerable<(int Round, QuotaMode Mode)> Schedule()
    {
        for (var round = 1; round <= Rounds; round++)
        {
            var first = round % 2 == 1 ? QuotaMode.Off : QuotaMode.On;
            yield return (round, first);
            yield return (round, first == QuotaMode.Off ? QuotaMode.On : QuotaMode.Off);
        }
    }

    public EnvironmentSettings Environment(QuotaMode mode, string redis) =>
        new(Backends, Dialect, SpeechEngine.Synthetic, 0, TimeSpan.Zero, ProxyConfiguration(mode, redis), MaxConcurrency);

    /// <summary>
    /// Both modes set all four limits, far above this load, so every check runs and none refuses
    /// (<see cref="QuotaSettings.UnlimitedPlan"/>: a rate the Redis script can take). Quotas on fail closed: were Redis
    /// unreachable, streams would fail (503) instead of quietly falling back to memory.
    /// </summary>
    public IReadOnlyDictionary<string, string> ProxyConfiguration(QuotaMode mode, string redis)
    {
        var plan = mode == QuotaMode.Off ? "anonymous" : Plan;
        var configuration = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Edge:Admission:MaxQueueLength"] = "10000",
            ["Edge:Quotas:Store"] = mode == QuotaMode.Off ? "Memory" : "Redis",
            ["Edge:Quotas:AllowAnonymous"] = mode == QuotaMode.Off ? "true" : "false",
        };
        configuration.SetAll(QuotaSettings.UnlimitedPlan(plan));
        if (mode == QuotaMode.On)
        {
            configuration["Edge:Quotas:Redis"] = redis;
            configuration["Edge:Quotas:FailureMode"] = "Closed";
            configuration.SetAll(QuotaSettings.Key(KeyId, Secret, Plan));
        }

        return configuration;
    }

    public Uri StreamUrl(Uri proxy) =>
        new(proxy, string.Create(CultureInfo.InvariantCulture, $"/v1/tts/stream?text={Uri.EscapeDataString(Text)}&chunk_ms={ChunkMs}"));
}
