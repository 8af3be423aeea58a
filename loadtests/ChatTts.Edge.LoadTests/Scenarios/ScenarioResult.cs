using ChatTts.Edge.LoadTests.Metrics;
using ChatTts.Edge.LoadTests.Reporting;

namespace ChatTts.Edge.LoadTests.Scenarios;

/// <summary>A scenario's verdict: every threshold it judged, with the metrics and chart data behind them when the
/// scenario has them.</summary>
internal sealed record ScenarioResult(IReadOnlyList<ThresholdResult> Thresholds)
{
    public bool Passed => Thresholds.All(t => t.Passed);

    /// <summary>Every figure measured, by name (empty for scenarios that judge their own figures).</summary>
    public MetricSet Metrics { get; init; } = new();

    /// <summary>For the HTML report's charts; null when the scenario has no stream timeline.</summary>
    public Timeline? Timeline { get; init; }

    /// <summary>The verdicts of configured or command-line thresholds, as threshold results.</summary>
    public static IReadOnlyList<ThresholdResult> From(IEnumerable<ThresholdVerdict> verdicts) =>
        [.. verdicts.Select(v => new ThresholdResult(v.Requirement(), MetricFormat.Value(v.Metric.Value, v.Metric.Unit), v.Passed) { Verdict = v })];
}

/// <summary>One threshold: what is required, what was measured, and whether it held.</summary>
internal sealed record ThresholdResult(string Requirement, string Actual, bool Passed)
{
    /// <summary>The metric threshold behind it, when it is one.</summary>
    public ThresholdVerdict? Verdict { get; init; }

    /// <summary>By how much a metric threshold was missed (see <see cref="ThresholdVerdict.Miss"/>); empty otherwise.</summary>
    public string Miss => Verdict?.Miss ?? string.Empty;

    /// <summary>One line for the verdict and JUnit: the metric, measured value, limit and miss, or the requirement and
    /// what was found for a threshold that is not on one metric.</summary>
    public string Describe(bool ascii = false) => Verdict?.Describe(ascii) ?? $"{Requirement}: {Actual}";
}
