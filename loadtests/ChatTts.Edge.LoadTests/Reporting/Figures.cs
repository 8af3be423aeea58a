using System.Globalization;
using ChatTts.Edge.LoadTests.Metrics;

namespace ChatTts.Edge.LoadTests.Reporting;

/// <summary>How numbers appear in reports: invariant culture, units spelt out. Counts and seconds read as every metric
/// does (<see cref="MetricFormat"/>); the other helpers take the precision a scenario's table needs.</summary>
internal static class Figures
{
    public static string Ratio(double value) => value.ToString("0.000", CultureInfo.InvariantCulture);

    public static string Seconds(TimeSpan value) => MetricFormat.Value(value.TotalSeconds, MetricUnit.Seconds);

    public static string Milliseconds(TimeSpan? value, string format = "0") =>
        value is { } v ? v.TotalMilliseconds.ToString(format, CultureInfo.InvariantCulture) + " ms" : "–";

    public static string Count(int value) => MetricFormat.Value(value, MetricUnit.Count);

    public static string Number(double value, string format = "0.0") => value.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>The nearest-rank percentile (0 &lt; <paramref name="percent"/> ≤ 100), or null for no values.</summary>
    public static TimeSpan? Percentile(IReadOnlyList<TimeSpan> values, double percent)
    {
        ArgumentNullException.ThrowIfNull(values);
        return PercentileOfSorted(values.Order().ToArray(), percent);
    }

    /// <summary>As <see cref="Percentile"/>, of values already in ascending order (several percentiles of one set sort it once).</summary>
    public static TimeSpan? PercentileOfSorted(IReadOnlyList<TimeSpan> sorted, double percent)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        if (sorted.Count == 0)
        {
            return null;
        }

        var rank = (int)Math.Ceiling(percent / 100 * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }
}
