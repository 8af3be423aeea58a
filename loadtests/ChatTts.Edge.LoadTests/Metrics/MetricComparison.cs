namespace ChatTts.Edge.LoadTests.Metrics;

/// <summary>A metric's value in a previous run (<c>report.json</c>): null when it had no samples.</summary>
/// <param name="Unit">Its unit's name (<see cref="MetricFormat.UnitName"/>); values are compared only in the same unit.</param>
internal sealed record BaselineValue(double? Value, string Unit);

/// <summary>How a metric moved against the baseline, judged by the metric's direction.</summary>
internal enum ChangeVerdict
{
    Same,
    Better,
    Worse,

    /// <summary>Not compared: see <see cref="MetricChange.NotComparedBecause"/>.</summary>
    NotCompared,
}

/// <summary>One metric of this run beside its value in the baseline.</summary>
/// <param name="NotComparedBecause">Why it is not compared (no direction, missing from the baseline, no samples, another
/// unit); null when it is.</param>
internal sealed record MetricChange(Metric Current, double? Baseline, string? NotComparedBecause)
{
    /// <summary>This run's value minus the baseline's (NaN when not compared).</summary>
    public double Difference => NotComparedBecause is null && Baseline is { } b ? Current.Value - b : double.NaN;

    /// <summary><see cref="Difference"/> as a fraction of the baseline; ±∞ for a change from zero, null when not compared.</summary>
    public double? Relative => NotComparedBecause is not null || Baseline is not { } b ? null
        : b != 0 ? Difference / Math.Abs(b)
        : Difference == 0 ? 0
        : Difference > 0 ? double.PositiveInfinity : double.NegativeInfinity;

    public ChangeVerdict Verdict => NotComparedBecause is not null ? ChangeVerdict.NotCompared
        : Difference == 0 ? ChangeVerdict.Same
        : (Difference < 0) == (Current.Direction == MetricDirection.LowerIsBetter) ? ChangeVerdict.Better
        : ChangeVerdict.Worse;

    /// <summary>How much worse, as a fraction of the baseline (+∞ from zero); 0 when it is not worse.</summary>
    public double Worsening => Verdict == ChangeVerdict.Worse ? Math.Abs(Relative ?? 0) : 0;

    /// <summary>Whether it got worse by more than <paramref name="maxRegressionPercent"/> percent of the baseline.</summary>
    public bool Regressed(double? maxRegressionPercent) => maxRegressionPercent is { } max && Worsening * 100 > max;

    /// <summary>One line for the verdict and JUnit, e.g. <c>ttfa.p99: 120.0 ms against 60.0 ms in the baseline: +60.0 ms
    /// (+100.0 %), worse</c>.</summary>
    public string Describe() =>
        $"{Current.Name}: {MetricFormat.Value(Current.Value, Current.Unit)} against {MetricFormat.Value(Baseline ?? double.NaN, Current.Unit)} " +
        "in the baseline" + Verdict switch
        {
            ChangeVerdict.Same => ", the same",
            ChangeVerdict.NotCompared => ", not compared: " + NotComparedBecause,
            var v => $": {MetricFormat.Change(Difference, Current.Unit)} ({MetricFormat.Relative(Relative)}), {(v == ChangeVerdict.Better ? "better" : "worse")}",
        };
}

/// <summary>
/// This run's metrics against a previous run's. Every metric with a direction (lower or higher is better) is compared
/// with the baseline's value of the same name and unit; a metric with neither direction, one without samples in
/// either run, or one the baseline lacks is listed but not compared. With a maximum regression (in percent of the
/// baseline value), a metric that got worse by more than that is a regression and fails the run.
/// </summary>
internal sealed record MetricComparison(IReadOnlyList<MetricChange> Changes, double? MaxRegressionPercent)
{
    /// <summary>The compared metrics that got worse by more than <see cref="MaxRegressionPercent"/>; none without one.</summary>
    public IReadOnlyList<MetricChange> Regressions => [.. Changes.Where(c => c.Regressed(MaxRegressionPercent))];

    /// <summary>The metrics a regression gate judges: every compared one (empty without a gate).</summary>
    public IReadOnlyList<MetricChange> Gated => MaxRegressionPercent is null ? [] : [.. Changes.Where(c => c.Verdict != ChangeVerdict.NotCompared)];

    public static MetricComparison Compare(MetricSet current, IReadOnlyDictionary<string, BaselineValue> baseline, double? maxRegressionPercent)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(baseline);
        return new MetricComparison([.. current.All.Select(m =>
        {
            var before = baseline.GetValueOrDefault(m.Name);
            var why = m.Direction == MetricDirection.Neither ? "neither better nor worse"
                : before is null ? "not in the baseline"
                : before.Unit != MetricFormat.UnitName(m.Unit) ? $"the baseline's unit is {before.Unit}"
                : before.Value is null || double.IsNaN(m.Value) ? "no samples"
                : null;
            return new MetricChange(m, before?.Value, why);
        })], maxRegressionPercent);
    }
}
