using System.Globalization;
using ChatTts.Edge.LoadTests.CommandLine;
using ChatTts.Edge.LoadTests.Environment;
using ChatTts.Edge.TestKit;
using ChatTts.Emulator;

namespace ChatTts.Edge.LoadTests.Scenarios.Burst;

/// <summary>The burst scenario's options, the plan under test and the proxy configuration that enforces it in Redis.</summary>
/// <param name="Clients">Clients firing requests back to back.</param>
/// <param name="MaxRequests">The load stops starting requests after this many, even before the duration is over.</param>
/// <param name="RequestsPerMinute">The plan's steady rate.</param>
/// <param name="Burst">The plan's burst: requests admitted at once before the steady rate applies.</param>
/// <param name="Replicas">Proxy processes sharing the one <c>redis-server</c>; requests go to them in turn.</param>
/// <param name="Backends">Emulated GPUs behind every replica.</param>
internal sealed record BurstSettings(
    int Clients, long MaxRequests, double RequestsPerMinute, int Burst, int Replicas, int Backends, int ChunkMs, IReadOnlyList<string> Thresholds)
{
    public const string Dialect = "chattts-openai";

    /// <summary>The key under test and its plan.</summary>
    public const string KeyId = "burst";

    /// <summary>A second key, with a plan nobody reaches, for the readiness request of each replica: it leaves the
    /// key under test untouched.</summary>
    public const string ReadinessKeyId = "readiness";

    /// <summary>Short: about half a second of audio, made at once, so an admitted stream holds its client briefly.</summary>
    public const string Text = "Quota burst.";

    /// <summary>Syntheses each emulated GPU runs at once (and the proxy's cap per destination): far above the load, so
    /// GPU capacity never refuses and every refusal is the quota's.</summary>
    public const int BackendConcurrency = 256;

    public static readonly RunDefaults Defaults = new(TimeSpan.FromSeconds(20), TimeSpan.Zero);

    public static readonly IReadOnlyList<OptionHelp> Options =
    [
        new("--threshold <m>=<limit>", "overrides or adds a threshold, e.g. missing_429=0 (repeatable)"),
        new("--clients <n>", "clients sending requests back to back, without honouring Retry-After (default 50)"),
        new("--max-requests <n>", "requests at most, even before the duration is over (default 500000)"),
        new("--rpm <n>", "the plan's RequestsPerMinute (default 60)"),
        new("--burst <n>", "the plan's Burst (default 20)"),
        new("--replicas <n>", "proxy processes sharing one redis-server, requests alternating between them (default 2)"),
        new("--backends <n>", "emulated GPUs behind the replicas (default 2)"),
        new("--chunk-ms <n>", "chunk_ms of every stream (default 200)"),
    ];

    /// <summary>The key the clients send (Authorization: Bearer): new for every invocation; the proxy gets only its SHA-256.</summary>
    public string Secret { get; } = QuotaSettings.NewSecret();

    /// <summary>The readiness key's secret.</summary>
    public string ReadinessSecret { get; } = QuotaSettings.NewSecret();

    /// <summary>Time between two admissions at the steady rate.</summary>
    public TimeSpan EmissionInterval => TimeSpan.FromMinutes(1 / RequestsPerMinute);

    public static BurstSettings Read(CommandLineArguments arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        return new BurstSettings(
            arguments.GetInt32("--clients", 50, 1, 10_000),
            arguments.GetInt32("--max-requests", 500_000, 1, 10_000_000),
            arguments.GetDouble("--rpm", 60, 0.01, 6_000_000),
            arguments.GetInt32("--burst", 20, 1, 1_000_000),
            arguments.GetInt32("--replicas", 2, 1, 8),
            arguments.GetInt32("--backends", 2, 1, 64),
            arguments.GetInt32("--chunk-ms", 200, 20, 60_000),
            arguments.GetAll("--threshold"));
    }

    /// <summary>Fast emulated GPUs (first audio after 20 ms, RTF 0.05) and a proxy with quotas in Redis: the key under
    /// test with the plan, characters and open streams far above the run, so only rate and burst can refuse; fail
    /// closed, so an unreachable Redis shows as 503 instead of a per-replica fallback that would admit too many.</summary>
    public EnvironmentSettings Environment(string redis)
    {
        var configuration = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Edge:Admission:MaxQueueLength"] = "10000",
            ["Edge:Quotas:Store"] = "Redis",
            ["Edge:Quotas:Redis"] = redis,
            ["Edge:Quotas:FailureMode"] = "Closed",
            ["Edge:Quotas:AllowAnonymous"] = "false",
            // Tens of thousands of refusals would each log a line at Information.
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Information", // "Now listening on" and "Application started" tell the run it is ready
        };
        // The plan under test: its own rate and burst, and characters and open streams nobody reaches.
        configuration.SetAll(QuotaSettings.UnlimitedPlan("burst"));
        configuration["Edge:Quotas:Plans:burst:RequestsPerMinute"] = RequestsPerMinute.ToString(CultureInfo.InvariantCulture);
        configuration["Edge:Quotas:Plans:burst:Burst"] = Burst.ToString(CultureInfo.InvariantCulture);
        configuration.SetAll(QuotaSettings.UnlimitedPlan("readiness"));
        configuration.SetAll(QuotaSettings.Key(KeyId, Secret, "burst"));
        configuration.SetAll(QuotaSettings.Key(ReadinessKeyId, ReadinessSecret, "readiness"));
        return new EnvironmentSettings(Backends, Dialect, SpeechEngine.Synthetic, 0.05, TimeSpan.FromMilliseconds(20), configuration,
            MaxConcurrency: BackendConcurrency, EmulatorConcurrency: BackendConcurrency, Replicas: Replicas);
    }

    public Uri StreamUrl(Uri proxy) =>
        new(proxy, string.Create(CultureInfo.InvariantCulture, $"/v1/tts/stream?text={Uri.EscapeDataString(Text)}&chunk_ms={ChunkMs}"));
}
