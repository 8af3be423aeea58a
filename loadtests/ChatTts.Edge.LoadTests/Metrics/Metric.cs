namespace ChatTts.Edge.LoadTests.Metrics;

/// <summary>How a metric's value reads.</summary>
internal enum MetricUnit
{
    Milliseconds,
    Count,
    Ratio,
    PerSecond,
    Seconds,
    Megabytes,
}

/// <summary>Which way is good: thresholds on a <see cref="LowerIsBetter"/> metric are upper limits.</summary>
internal enum MetricDirection
{
    LowerIsBetter,
    HigherIsBetter,
}

/// <summary>One measured figure of a run, by its name in thresholds and <c>report.json</c> (e.g. <c>ttfa.p99</c>).</summary>
internal sealed record Metric(string Name, double Value, MetricUnit Unit, MetricDirection Direction, string Description);

/// <summary>A run's metrics by name, in the order they were added.</summary>
internal sealed class MetricSet
{
    private readonly List<Metric> _metrics = [];
    private readonly Dictionary<string, Metric> _byName = new(StringComparer.Ordinal);

    public IReadOnlyList<Metric> All => _metrics;

    public MetricSet Add(string name, double value, MetricUnit unit, MetricDirection direction, string description)
    {
        var metric = new Metric(name, value, unit, direction, description);
        _byName[name] = metric;
        _metrics.RemoveAll(m => m.Name == name);
        _metrics.Add(metric);
        return this;
    }

    public Metric? Find(string name) => _byName.GetValueOrDefault(name);
}
