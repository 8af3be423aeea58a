using ChatTts.Edge.LoadTests.Metrics;
using ChatTts.Edge.LoadTests.Reporting;

namespace ChatTts.Edge.LoadTests.Scenarios;

/// <summary>What a scenario settles before anything starts: the metric thresholds it judges by (from
/// <c>appsettings/loadtests.json</c> and <c>--threshold</c>), and the open-file limit in force after raising it for
/// its streams (null: unknown or not raised).</summary>
internal sealed record Preparation(IReadOnlyList<(string Metric, string Limit, string Source)> Limits, long? Files)
{
    /// <summary>For a scenario that judges its own figures and needs no more files.</summary>
    public static readonly Preparation None = new([], null);

    /// <summary>The verdict of <see cref="Limits"/> on <paramref name="metrics"/>, with the figures and the chart data.</summary>
    public ScenarioResult Judge(MetricSet metrics, Timeline? timeline) =>
        new(ScenarioResult.From(ThresholdSet.Judge(Limits, metrics))) { Metrics = metrics, Timeline = timeline };
}
