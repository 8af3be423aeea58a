using System.Globalization;

namespace ChatTts.Edge.LoadTests.Metrics;

/// <summary>
/// How metric values read in every report: invariant culture, always with their unit, as many decimals as the size
/// of the number needs (<c>1,500 ms</c>, <c>116.0 ms</c>, <c>4.25 ms</c>, <c>0.02 ms</c>), counts with thousands
/// separators, ratios in percent. Differences of percentages are in percentage points (<c>pp</c>) so that they are
/// never mistaken for a relative change.
/// </summary>
internal static class MetricFormat
{
    /// <summary>Shown for a value without samples.</summary>
    public const string None = "–";

    /// <summary>A value with its unit, e.g. <c>116.0 ms</c>, <c>25.5 %</c>, <c>113.1 MiB</c>, <c>10,000</c>.</summary>
    public static string Value(double value, MetricUnit unit) => double.IsNaN(value) ? None : Signed(value, unit, plus: false, difference: false);

    /// <summary>A difference of two values of <paramref name="unit"/>, always signed: <c>+12.3 ms</c>, <c>−1.20 pp</c>.</summary>
    public static string Change(double difference, MetricUnit unit) => double.IsNaN(difference) ? None : Signed(difference, unit, plus: true, difference: true);

    /// <summary>The size of a difference (no sign), e.g. the margin by which a threshold was missed.</summary>
    public static string Distance(double difference, MetricUnit unit) => double.IsNaN(difference) ? None : Signed(Math.Abs(difference), unit, plus: false, difference: true);

    /// <summary>A relative change given as a fraction, signed and in percent: <c>+12.5 %</c>; <c>–</c> when there is none
    /// (a change from zero).</summary>
    public static string Relative(double? fraction) =>
        fraction is not { } f || double.IsNaN(f) ? None
        : double.IsInfinity(f) ? (f > 0 ? "+∞ %" : "−∞ %")
        : (f > 0 ? "+" : f < 0 ? "−" : string.Empty) + Number(Math.Abs(f) * 100) + " %";

    /// <summary>A percentage as given (e.g. <c>--max-regression 10%</c>) or a margin: <c>10 %</c>, <c>2.5 %</c>, <c>1,250 %</c>.</summary>
    public static string Percent(double percent) => percent.ToString("#,0.###", CultureInfo.InvariantCulture) + " %";

    /// <summary>A threshold's condition, e.g. <c>≤ 1,500 ms</c>; with <paramref name="ascii"/> <c>&lt;= 1,500 ms</c>
    /// (for JUnit test names, which some tools show as plain text).</summary>
    public static string Limit(Threshold threshold, MetricUnit unit, bool ascii = false)
    {
        ArgumentNullException.ThrowIfNull(threshold);
        return $"{(ascii ? threshold.Operator : Operator(threshold.Operator))} {Value(threshold.Limit, unit)}";
    }

    /// <summary>A comparison operator as it prints: <c>≤</c>, <c>≥</c>, <c>&lt;</c>, <c>&gt;</c>.</summary>
    public static string Operator(string op) => op switch
    {
        "<=" => "≤",
        ">=" => "≥",
        _ => op,
    };

    /// <summary>The unit's name in <c>report.json</c>; a baseline is compared only where these agree.</summary>
    public static string UnitName(MetricUnit unit) => unit switch
    {
        MetricUnit.Milliseconds => "ms",
        MetricUnit.Microseconds => "µs",
        MetricUnit.Seconds => "s",
        MetricUnit.Count => "count",
        MetricUnit.Ratio => "ratio",
        MetricUnit.Percent => "percent",
        MetricUnit.Mebibytes => "MiB",
        MetricUnit.StreamsPerSecond => "streams/s",
        MetricUnit.RequestsPerSecond => "requests/s",
        MetricUnit.EventsPerSecond => "events/s",
        MetricUnit.AudioSecondsPerSecond => "audio s/s",
        MetricUnit.MegabytesPerSecond => "MB/s",
        _ => unit.ToString(),
    };

    /// <summary>A number with as many decimals as its size needs: <c>1,500</c>, <c>116.0</c>, <c>4.25</c>, <c>0.026</c>,
    /// <c>0.001</c> (never negative zero, never in scientific notation).</summary>
    public static string Number(double value)
    {
        var magnitude = Math.Abs(value);
        var format = magnitude >= 1000 ? "#,0" : magnitude >= 10 ? "0.0" : magnitude >= 1 ? "0.00" : magnitude >= 0.01 ? "0.0##" : "0.####";
        var text = magnitude == 0 ? "0" : magnitude.ToString(format, CultureInfo.InvariantCulture);
        return value < 0 && text.Any(c => c is >= '1' and <= '9') ? "−" + text : text;
    }

    private static string Signed(double value, MetricUnit unit, bool plus, bool difference)
    {
        var (number, suffix) = unit switch
        {
            MetricUnit.Count => (Count(value), string.Empty),
            MetricUnit.Ratio => (Number(value * 100), difference ? " pp" : " %"),
            MetricUnit.Percent => (Number(value), difference ? " pp" : " %"),
            _ => (Number(value), " " + UnitName(unit)),
        };
        var sign = plus && value > 0 && number.Any(c => c is >= '1' and <= '9') ? "+" : string.Empty;
        return sign + number + suffix;
    }

    /// <summary>A count: whole numbers with thousands separators; a fraction (a mean) keeps its decimals.</summary>
    private static string Count(double value) =>
        value == Math.Round(value) ? (value < 0 ? "−" : string.Empty) + Math.Abs(value).ToString("#,0", CultureInfo.InvariantCulture) : Number(value);
}
