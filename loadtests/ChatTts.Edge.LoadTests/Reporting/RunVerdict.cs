using ChatTts.Edge.LoadTests.Metrics;
using ChatTts.Edge.LoadTests.Scenarios;

namespace ChatTts.Edge.LoadTests.Reporting;

/// <summary>
/// A run's verdict, at the top of every report and in JUnit: PASSED when every threshold held and no metric regressed
/// beyond <c>--max-regression</c>, MISSED otherwise, with the reasons — each missed threshold with the measured value,
/// the limit and the margin, each regression with the baseline value and the change. The exit code follows it.
/// </summary>
internal sealed record RunVerdict(IReadOnlyList<ThresholdResult> Thresholds, Baseline? Baseline, MetricComparison? Comparison)
{
    public const string PassedWord = "PASSED";
    public const string MissedWord = "MISSED";

    public static RunVerdict Of(ScenarioResult result, Baseline? baseline)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new RunVerdict(result.Thresholds, baseline, baseline?.Compare(result.Metrics));
    }

    public IReadOnlyList<ThresholdResult> Missed => [.. Thresholds.Where(t => !t.Passed)];

    public IReadOnlyList<MetricChange> Regressions => Comparison?.Regressions ?? [];

    public bool Passed => Missed.Count == 0 && Regressions.Count == 0;

    public string Word => Passed ? PassedWord : MissedWord;

    /// <summary>What was judged, in one sentence: <c>1 of 7 thresholds missed; no metric worse than the baseline by more
    /// than 10 %</c>.</summary>
    public string Summary
    {
        get
        {
            var missed = Missed.Count;
            var parts = new List<string>
            {
                Thresholds.Count == 0 ? "no thresholds"
                : missed == 0 ? $"{(Thresholds.Count == 1 ? "the" : $"all {Thresholds.Count}")} threshold{Plural(Thresholds.Count)} held"
                : $"{missed} of {Thresholds.Count} threshold{Plural(Thresholds.Count)} missed",
            };
            if (Comparison is { } comparison)
            {
                var changes = comparison.Changes;
                int Count(ChangeVerdict verdict) => changes.Count(c => c.Verdict == verdict);
                parts.Add($"against the baseline {Count(ChangeVerdict.Better)} better, {Count(ChangeVerdict.Worse)} worse, {Count(ChangeVerdict.Same)} the same");
                if (comparison.MaxRegressionPercent is { } max)
                {
                    var regressed = Regressions.Count;
                    parts.Add(regressed == 0
                        ? $"none worse by more than {MetricFormat.Percent(max)}"
                        : $"{regressed} worse by more than {MetricFormat.Percent(max)}");
                }
            }

            return string.Join("; ", parts);
        }
    }

    /// <summary>Why the run missed, one line each (empty when it passed); <paramref name="ascii"/> writes operators as
    /// <c>&lt;=</c>.</summary>
    public IReadOnlyList<string> Reasons(bool ascii = false) =>
        [.. Missed.Select(t => t.Describe(ascii)), .. Regressions.Select(RegressionText)];

    /// <summary>A regression in one line, e.g. <c>ttfa.p99: 120.0 ms against 60.0 ms in the baseline: +60.0 ms (+100.0 %),
    /// worse by more than the 10 % allowed</c>.</summary>
    public string RegressionText(MetricChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        return change.Describe() + (Comparison?.MaxRegressionPercent is { } max ? $" by more than the {MetricFormat.Percent(max)} allowed" : string.Empty);
    }

    private static string Plural(int count) => count == 1 ? string.Empty : "s";
}
