namespace ChatTts.Edge.LoadTests.Metrics;

/// <summary>What a metric's value counts; <see cref="MetricFormat"/> writes each with its unit.</summary>
internal enum MetricUnit
{
    Milliseconds,
    Microseconds,
    Seconds,
    Count,

    /// <summary>A fraction (0.01 is 1 %), shown in percent.</summary>
    Ratio,

    /// <summary>Already in percent (100 is one core busy).</summary>
    Percent,

    /// <summary>Binary megabytes (1 MiB = 1,048,576 bytes).</summary>
    Mebibytes,

    StreamsPerSecond,
    RequestsPerSecond,
    EventsPerSecond,

    /// <summary>Seconds of audio received per second.</summary>
    AudioSecondsPerSecond,

    /// <summary>Decimal megabytes (1 MB = 1,000,000 bytes) per second.</summary>
    MegabytesPerSecond,
}

/// <summary>Which way is good. Thresholds on a <see cref="LowerIsBetter"/> metric are upper limits by default, on a
/// <see cref="HigherIsBetter"/> one lower limits; a baseline comparison calls a change better or worse by it.</summary>
internal enum MetricDirection
{
    LowerIsBetter,
    HigherIsBetter,

    /// <summary>A fact about the run, neither better nor worse when it changes (e.g. the requests a plan should
    /// admit): never compared with a baseline, and a threshold on it needs an operator.</summary>
    Neither,
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
