using System.Globalization;
using ChatTts.Edge.LoadTests.CommandLine;

namespace ChatTts.Edge.LoadTests.Metrics;

/// <summary>
/// A limit on one metric, e.g. <c>ttfa.p99=250ms</c>, <c>error_rate=0</c>, <c>events_per_second=&gt;=500</c>.
/// Without an operator the limit is an upper bound for a metric where lower is better (latencies, errors) and a
/// lower bound for one where higher is better (throughput); a metric with neither direction needs one. Milliseconds
/// may be written with <c>ms</c> or <c>s</c>, microseconds with <c>us</c> or <c>ms</c>, ratios as a fraction or with
/// <c>%</c>, percentages with or without <c>%</c>, memory in MiB with <c>MiB</c>, <c>GiB</c> or bare.
/// </summary>
internal sealed record Threshold(string Metric, string Operator, double Limit, string Text, string Source)
{
    private static readonly string[] Operators = ["<=", ">=", "<", ">"];

    /// <summary>Parses <paramref name="text"/> as the limit of <paramref name="metric"/>, whose unit and direction are given.</summary>
    /// <exception cref="UsageException">The limit does not parse or its unit does not fit the metric.</exception>
    public static Threshold Parse(string metric, string text, MetricUnit unit, MetricDirection direction, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        var rest = text.Trim();
        var op = Operators.FirstOrDefault(o => rest.StartsWith(o, StringComparison.Ordinal));
        if (op is not null)
        {
            rest = rest[op.Length..].Trim();
        }

        op ??= direction switch
        {
            MetricDirection.LowerIsBetter => "<=",
            MetricDirection.HigherIsBetter => ">=",
            _ => throw new UsageException($"Threshold {metric}={text} ({source}): {metric} is neither better higher nor lower; " +
                "write the operator, e.g. <=5 or >=5."),
        };
        var (number, scale) = unit switch
        {
            MetricUnit.Milliseconds when rest.EndsWith("ms", StringComparison.Ordinal) => (rest[..^2], 1.0),
            MetricUnit.Milliseconds when rest.EndsWith('s') => (rest[..^1], 1000.0),
            MetricUnit.Microseconds when rest.EndsWith("us", StringComparison.Ordinal) || rest.EndsWith("µs", StringComparison.Ordinal) => (rest[..^2], 1.0),
            MetricUnit.Microseconds when rest.EndsWith("ms", StringComparison.Ordinal) => (rest[..^2], 1000.0),
            MetricUnit.Seconds when rest.EndsWith("ms", StringComparison.Ordinal) => (rest[..^2], 0.001),
            MetricUnit.Seconds when rest.EndsWith('s') => (rest[..^1], 1.0),
            MetricUnit.Ratio when rest.EndsWith('%') => (rest[..^1], 0.01),
            MetricUnit.Percent when rest.EndsWith('%') => (rest[..^1], 1.0),
            MetricUnit.Mebibytes when rest.EndsWith("MiB", StringComparison.Ordinal) => (rest[..^3], 1.0),
            MetricUnit.Mebibytes when rest.EndsWith("GiB", StringComparison.Ordinal) => (rest[..^3], 1024.0),
            _ => (rest, 1.0),
        };
        if (!double.TryParse(number.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            throw new UsageException($"Threshold {metric}={text} ({source}): '{text}' is not a limit; write e.g. " +
                unit switch
                {
                    MetricUnit.Milliseconds => "250ms or 1.5s",
                    MetricUnit.Ratio => "0.01 or 1%",
                    MetricUnit.Percent => "50%",
                    MetricUnit.Mebibytes => "1024MiB or 1GiB",
                    _ => "500",
                } + ".");
        }

        return new Threshold(metric, op, value * scale, text.Trim(), source);
    }

    /// <summary>Whether <paramref name="value"/> keeps within the limit (a metric without samples never does).</summary>
    public bool Holds(double value) => !double.IsNaN(value) && Operator switch
    {
        "<=" => value <= Limit,
        ">=" => value >= Limit,
        "<" => value < Limit,
        _ => value > Limit,
    };
}
