using ChatTts.Edge.LoadTests.CommandLine;

namespace ChatTts.Edge.LoadTests.Scenarios;

/// <summary>The options every scenario shares.</summary>
/// <param name="Duration">How long load is applied; no stream starts after it.</param>
/// <param name="Warmup">The first part of <paramref name="Duration"/>, left out of the measurement window.</param>
/// <param name="DrainTimeout">After <paramref name="Duration"/>, how long streams under way may take to finish before they are cut.</param>
/// <param name="OutputDirectory">Where the report goes.</param>
/// <param name="ProxySettings">Configuration given to every proxy process on top of the scenario's own (<c>Section:Key</c>).</param>
/// <param name="TraceSampleRatio">When set, the proxies trace this share of the streams and export traces and metrics over
/// OTLP/HTTP to a receiver the runner starts.</param>
/// <param name="FleetAdmission">The proxies share GPU slots and the queue in a redis-server the runner starts
/// (<c>Edge:Admission:Store=Redis</c>).</param>
internal sealed record RunSettings(
    TimeSpan Duration,
    TimeSpan Warmup,
    TimeSpan DrainTimeout,
    string OutputDirectory,
    IReadOnlyDictionary<string, string> ProxySettings,
    double? TraceSampleRatio,
    bool FleetAdmission)
{
    public static readonly IReadOnlyList<OptionHelp> Options =
    [
        new("--duration <time>", $"how long load is applied, e.g. 30s, 2m, 500ms (default {DurationFormat.Format(RunDefaults.Standard.Duration)})"),
        new("--warmup <time>", $"the start of the run left out of the measurement (default {DurationFormat.Format(RunDefaults.Standard.Warmup)})"),
        new("--drain-timeout <time>", "how long streams under way may finish after the duration (default 30s)"),
        new("--out <dir>", "where report.md, report.html, report.json and junit.xml go (default artifacts/loadtests/<scenario>)"),
        new("--trace-sample <ratio>", "the proxies trace this share (0–1) of the streams and export over OTLP/HTTP to a receiver the runner starts (default: no tracing)"),
        new("--admission <local|redis>", "GPU slots and the queue counted by each proxy (local, the default) or shared in a redis-server the runner starts (redis)"),
        new("--proxy-setting <key=value>", "configuration for every proxy process on top of the scenario's, e.g. Edge:Telemetry:OtlpEndpoint=http://127.0.0.1:4318 (repeatable)"),
    ];

    /// <summary>The measurement window: the duration after the warm-up.</summary>
    public TimeSpan Window => Duration - Warmup;

    /// <summary>The duration and the warm-up for a start line, e.g. <c>20s (warm-up 4s)</c>.</summary>
    public string Timing => $"{DurationFormat.Format(Duration)} (warm-up {DurationFormat.Format(Warmup)})";

    public static RunSettings Read(CommandLineArguments arguments, string scenario, RunDefaults defaults)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(defaults);
        var duration = arguments.GetDuration("--duration", defaults.Duration);
        var warmup = arguments.GetDuration("--warmup", defaults.Warmup);
        var drain = arguments.GetDuration("--drain-timeout", TimeSpan.FromSeconds(30));
        var output = arguments.GetString("--out", Path.Combine("artifacts", "loadtests", scenario));
        if (warmup >= duration)
        {
            throw new UsageException($"--warmup ({DurationFormat.Format(warmup)}) must be shorter than --duration ({DurationFormat.Format(duration)}).");
        }

        return new RunSettings(duration, warmup, drain, output, ReadProxySettings(arguments.GetAll("--proxy-setting")), ReadTraceSampleRatio(arguments), ReadAdmission(arguments));
    }

    private static bool ReadAdmission(CommandLineArguments arguments) => arguments.GetString("--admission", "local") switch
    {
        "local" => false,
        "redis" => true,
        var other => throw new UsageException($"--admission takes local or redis, not '{other}'."),
    };

    private static double? ReadTraceSampleRatio(CommandLineArguments arguments) =>
        arguments.GetOptionalString("--trace-sample") is null ? null : arguments.GetDouble("--trace-sample", 1, 0, 1);

    private static Dictionary<string, string> ReadProxySettings(IReadOnlyList<string> values)
    {
        var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var value in values)
        {
            var equals = value.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || !settings.TryAdd(value[..equals].Trim(), value[(equals + 1)..]))
            {
                throw new UsageException($"--proxy-setting takes Section:Key=value, each key once, not '{value}'.");
            }
        }

        return settings;
    }
}

/// <summary>A scenario's defaults for <c>--duration</c> and <c>--warmup</c>.</summary>
internal sealed record RunDefaults(TimeSpan Duration, TimeSpan Warmup)
{
    /// <summary>What a scenario uses unless it says otherwise: 30 s with a 3 s warm-up.</summary>
    public static readonly RunDefaults Standard = new(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(3));
}
