using System.Globalization;

namespace ChatTts.Edge.LoadTests.Metrics;

/// <summary>How metric values read in reports.</summary>
internal static class MetricFormat
{
    public static string Value(double value, MetricUnit unit) => double.IsNaN(value) ? "–" : unit switch
    {
        MetricUnit.Milliseconds => value.ToString(value < 10 ? "0.00" : "0.0", CultureInfo.InvariantCulture) + " ms",
        MetricUnit.Count => value.ToString("0", CultureInfo.InvariantCulture),
        MetricUnit.Ratio => value.ToString("0.####", CultureInfo.InvariantCulture),
        MetricUnit.PerSecond => value.ToString("0.0", CultureInfo.InvariantCulture) + "/s",
        MetricUnit.Seconds => value.ToString("0.00", CultureInfo.InvariantCulture) + " s",
        MetricUnit.Megabytes => value.ToString("0.0", CultureInfo.InvariantCulture) + " MB",
        _ => value.ToString(CultureInfo.InvariantCulture),
    };

    public static string Limit(Threshold threshold, MetricUnit unit) =>
        $"{threshold.Operator.Replace("<=", "≤", StringComparison.Ordinal).Replace(">=", "≥", StringComparison.Ordinal)} {Value(threshold.Limit, unit)}";
}
