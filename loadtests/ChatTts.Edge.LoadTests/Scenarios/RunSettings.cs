using ChatTts.Edge.LoadTests.CommandLine;

namespace ChatTts.Edge.LoadTests.Scenarios;

/// <summary>The options every scenario shares.</summary>
/// <param name="Duration">How long load is applied; no stream starts after it.</param>
/// <param name="Warmup">The first part of <paramref name="Duration"/>, left out of the measurement window.</param>
/// <param name="DrainTimeout">After <paramref name="Duration"/>, how long streams under way may take to finish before they are cut.</param>
/// <param name="OutputDirectory">Where the report goes.</param>
internal sealed record RunSettings(TimeSpan Duration, TimeSpan Warmup, TimeSpan DrainTimeout, string OutputDirectory)
{
    public static readonly IReadOnlyList<OptionHelp> Options =
    [
        new("--duration <time>", $"how long load is applied, e.g. 30s, 2m, 500ms (default {DurationFormat.Format(RunDefaults.Standard.Duration)})"),
        new("--warmup <time>", $"the start of the run left out of the measurement (default {DurationFormat.Format(RunDefaults.Standard.Warmup)})"),
        new("--drain-timeout <time>", "how long streams under way may finish after the duration (default 30s)"),
        new("--out <dir>", "where report.md, report.html, report.json and junit.xml go (default artifacts/loadtests/<scenario>)"),
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

        return new RunSettings(duration, warmup, drain, output);
    }
}

/// <summary>A scenario's defaults for <c>--duration</c> and <c>--warmup</c>.</summary>
internal sealed record RunDefaults(TimeSpan Duration, TimeSpan Warmup)
{
    /// <summary>What a scenario uses unless it says otherwise: 30 s with a 3 s warm-up.</summary>
    public static readonly RunDefaults Standard = new(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(3));
}
