using ChatTts.Edge.LoadTests.Metrics;

namespace ChatTts.Edge.LoadTests.Reporting;

/// <summary>The reference lines a run's charts draw over their data: each threshold on a metric a chart shows, and that
/// metric's value in the baseline run (<see cref="Baseline"/>: the baseline's metrics by name, in this run's units).</summary>
internal sealed record ChartMarks(IReadOnlyList<ThresholdVerdict> Thresholds, IReadOnlyDictionary<string, Metric> Baseline)
{
    public const string ThresholdColour = "#b91c1c";
    public const string BaselineColour = "#4b5563";

    public static readonly ChartMarks None = new([], new Dictionary<string, Metric>());

    public static ChartMarks Of(RunVerdict? verdict) => verdict is null ? None : new(
        [.. verdict.Thresholds.Select(t => t.Verdict).OfType<ThresholdVerdict>()],
        verdict.Comparison?.Changes.Where(c => c.Baseline is { } b && double.IsFinite(b))
            .ToDictionary(c => c.Current.Name, c => c.Current with { Value = c.Baseline!.Value }) ?? new Dictionary<string, Metric>());

    /// <summary>Adds a horizontal line for every threshold on <paramref name="metrics"/> and for the baseline value of each
    /// of <paramref name="baselineOf"/> (with its short label, which may be empty).</summary>
    public SvgChart Horizontal(SvgChart chart, Func<string, bool> metrics, params (string Metric, string Label)[] baselineOf)
    {
        ArgumentNullException.ThrowIfNull(chart);
        ArgumentNullException.ThrowIfNull(metrics);
        foreach (var threshold in Thresholds.Where(t => metrics(t.Threshold.Metric)))
        {
            chart.HorizontalLine(threshold.Threshold.Limit, Label(threshold), ThresholdColour);
        }

        foreach (var (metric, label) in baselineOf)
        {
            if (Baseline.TryGetValue(metric, out var before))
            {
                chart.HorizontalLine(before.Value, string.Join(' ', new[] { "baseline", label, MetricFormat.Value(before.Value, before.Unit) }.Where(w => w.Length > 0)),
                    BaselineColour, MarkStyle.Baseline);
            }
        }

        return chart;
    }

    /// <summary>Adds a vertical line for every threshold on <paramref name="metrics"/> (a histogram of their values).</summary>
    public SvgChart Vertical(SvgChart chart, Func<string, bool> metrics)
    {
        ArgumentNullException.ThrowIfNull(chart);
        ArgumentNullException.ThrowIfNull(metrics);
        foreach (var threshold in Thresholds.Where(t => metrics(t.Threshold.Metric)))
        {
            chart.VerticalLine(threshold.Threshold.Limit, Label(threshold), ThresholdColour);
        }

        return chart;
    }

    /// <summary>e.g. <c>limit ttfa.p99 ≤ 500 ms (missed)</c>.</summary>
    private static string Label(ThresholdVerdict threshold) => $"limit {threshold.Requirement()}{(threshold.Passed ? string.Empty : " (missed)")}";
}
