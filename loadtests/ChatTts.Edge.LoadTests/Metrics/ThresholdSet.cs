using System.Text.Json;
using ChatTts.Edge.LoadTests.CommandLine;

namespace ChatTts.Edge.LoadTests.Metrics;

/// <summary>
/// A scenario's thresholds: those configured for it in <c>appsettings/loadtests.json</c>
/// (<c>Scenarios:&lt;name&gt;:Thresholds:&lt;metric&gt;</c>), each replaced by a <c>--threshold metric=limit</c> of the
/// command line that names the same metric; a command-line threshold for another metric is added.
/// </summary>
internal static class ThresholdSet
{
    /// <summary>The configuration file, copied next to the runner by its project file.</summary>
    public const string FileName = "loadtests.json";

    /// <summary>The source of a limit given with <c>--threshold</c>.</summary>
    public const string CommandLine = "--threshold";

    /// <summary>The limits as text, by metric: configured first, then the command line over them.</summary>
    /// <exception cref="UsageException">The file cannot be read, or a command-line threshold is not <c>metric=limit</c>.</exception>
    public static IReadOnlyList<(string Metric, string Limit, string Source)> Read(string scenario, IReadOnlyList<string> commandLine, string? file = null)
    {
        ArgumentNullException.ThrowIfNull(commandLine);
        var path = file ?? Path.Combine(AppContext.BaseDirectory, FileName);
        var limits = new List<(string Metric, string Limit, string Source)>();
        foreach (var (metric, limit) in Configured(path, scenario))
        {
            limits.Add((metric, limit, "appsettings/" + FileName));
        }

        foreach (var option in commandLine)
        {
            var equals = option.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || equals == option.Length - 1)
            {
                throw new UsageException($"--threshold takes <metric>=<limit>, e.g. ttfa.p99=250ms, not '{option}'.");
            }

            var metric = option[..equals].Trim();
            limits.RemoveAll(l => l.Metric == metric);
            limits.Add((metric, option[(equals + 1)..], CommandLine));
        }

        return limits;
    }

    /// <summary>Judges the limits against the measured metrics. A limit on a metric the scenario does not measure is
    /// a usage error, so a misspelt name cannot pass silently.</summary>
    /// <exception cref="UsageException">A limit names an unknown metric or does not parse.</exception>
    public static IReadOnlyList<ThresholdVerdict> Judge(IReadOnlyList<(string Metric, string Limit, string Source)> limits, MetricSet metrics)
    {
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(metrics);
        return [.. limits.Select(l =>
        {
            var metric = metrics.Find(l.Metric) ?? throw new UsageException(
                $"Threshold {l.Metric} ({l.Source}) names no metric of this scenario; it measures {string.Join(", ", metrics.All.Select(m => m.Name))}.");
            var threshold = Threshold.Parse(l.Metric, l.Limit, metric.Unit, metric.Direction, l.Source);
            return new ThresholdVerdict(threshold, metric, threshold.Holds(metric.Value));
        })];
    }

    /// <summary>Checks that every limit parses for a known metric name before the run starts (the names are those the
    /// scenario will measure).</summary>
    /// <exception cref="UsageException">An unknown metric name.</exception>
    public static void Validate(IReadOnlyList<(string Metric, string Limit, string Source)> limits, IReadOnlyCollection<string> metricNames)
    {
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(metricNames);
        foreach (var (metric, _, source) in limits.Where(l => !metricNames.Contains(l.Metric)))
        {
            throw new UsageException($"Threshold {metric} ({source}) names no metric of this scenario; it measures {string.Join(", ", metricNames)}.");
        }
    }

    private static IEnumerable<(string Metric, string Limit)> Configured(string path, string scenario)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            throw new UsageException($"The thresholds file {path} cannot be read: {e.Message}");
        }

        using (document)
        {
            if (!document.RootElement.TryGetProperty("Scenarios", out var scenarios)
                || !scenarios.TryGetProperty(scenario, out var settings)
                || !settings.TryGetProperty("Thresholds", out var thresholds))
            {
                return [];
            }

            return [.. thresholds.EnumerateObject().Select(p => (p.Name, p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText()))];
        }
    }
}

/// <summary>A threshold judged: the limit, the metric as measured, and whether it held.</summary>
internal sealed record ThresholdVerdict(Threshold Threshold, Metric Metric, bool Passed)
{
    /// <summary>How far the measured value lies from the limit, in the metric's unit (NaN without samples).</summary>
    public double Margin => Math.Abs(Metric.Value - Threshold.Limit);

    /// <summary><see cref="Margin"/> as a fraction of the limit; null for a limit of zero or without samples.</summary>
    public double? RelativeMargin => Threshold.Limit == 0 || double.IsNaN(Metric.Value) ? null : Margin / Math.Abs(Threshold.Limit);

    /// <summary>The requirement as it reads in a report, e.g. <c>ttfa.p99 ≤ 500 ms</c> (<c>&lt;=</c> with <paramref name="ascii"/>).</summary>
    public string Requirement(bool ascii = false) => $"{Threshold.Metric} {MetricFormat.Limit(Threshold, Metric.Unit, ascii)}";

    /// <summary>By how much it was missed, e.g. <c>16.0 ms (3.2 %)</c>; empty when it held.</summary>
    public string Miss => Passed || double.IsNaN(Metric.Value) ? string.Empty
        : MetricFormat.Distance(Margin, Metric.Unit) + (RelativeMargin is { } r ? $" ({MetricFormat.Number(r * 100)} %)" : string.Empty);

    /// <summary>One line naming the metric, what was measured, the limit and the miss, e.g.
    /// <c>ttfa.p99: measured 516.0 ms, limit ≤ 500 ms, missed by 16.0 ms (3.2 %)</c>.</summary>
    public string Describe(bool ascii = false) =>
        $"{Threshold.Metric}: " + (double.IsNaN(Metric.Value) ? "no samples" : $"measured {MetricFormat.Value(Metric.Value, Metric.Unit)}") +
        $", limit {MetricFormat.Limit(Threshold, Metric.Unit, ascii)}" +
        (Passed ? ", held" : Miss.Length > 0 ? $", missed by {Miss}" : ", missed");
}
