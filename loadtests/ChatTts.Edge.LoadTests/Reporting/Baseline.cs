using System.Globalization;
using System.Text.Json;
using ChatTts.Edge.LoadTests.CommandLine;
using ChatTts.Edge.LoadTests.Metrics;
using ChatTts.Edge.LoadTests.Scenarios;

namespace ChatTts.Edge.LoadTests.Reporting;

/// <summary>
/// A previous run's <c>report.json</c> (<c>--baseline</c>) that this run's metrics are compared with, and the largest
/// worsening allowed (<c>--max-regression</c>). Both are read and checked before the run starts: a missing or invalid
/// file, a report of another scenario or a bad percentage is a usage error.
/// </summary>
/// <param name="Duration">How long the baseline's load ran; counts of streams are comparable only for equal durations.</param>
internal sealed record Baseline(
    string Path, string Scenario, string? Date, string? Command, TimeSpan? Duration, IReadOnlyDictionary<string, BaselineValue> Metrics, double? MaxRegressionPercent)
{
    public static readonly IReadOnlyList<OptionHelp> Options =
    [
        new("--baseline <report.json>", "compare every metric with a previous run's report.json of the same scenario (reports show the change)"),
        new("--max-regression <percent>", "with --baseline: exit 1 when a metric is worse than the baseline by more than this, e.g. 10%"),
    ];

    /// <summary>The options' values, or null without <c>--baseline</c>.</summary>
    /// <exception cref="UsageException">The file cannot be read, is not a report of <paramref name="scenario"/>, or the
    /// percentage is not one.</exception>
    public static Baseline? Read(CommandLineArguments arguments, string scenario)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var path = arguments.GetOptionalString("--baseline");
        var max = arguments.GetOptionalString("--max-regression") is { } text ? ParsePercent(text) : (double?)null;
        if (path is null)
        {
            return max is null ? null : throw new UsageException("--max-regression needs --baseline <report.json> to compare with.");
        }

        return Load(path, scenario) with { MaxRegressionPercent = max };
    }

    public MetricComparison Compare(MetricSet current) => MetricComparison.Compare(current, Metrics, MaxRegressionPercent);

    /// <summary>The baseline in one line for a report: its file, date and duration.</summary>
    public string Describe() =>
        $"{Path} ({Scenario}" + (Date is null ? string.Empty : $", {Date}") +
        (Duration is { } d ? $", load {DurationFormat.Format(d)}" : string.Empty) + ")";

    private static Baseline Load(string path, string scenario)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new UsageException($"--baseline {path} cannot be read: {e.Message}");
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("scenario", out var name) || name.ValueKind != JsonValueKind.String
                || !root.TryGetProperty("metrics", out var metrics) || metrics.ValueKind != JsonValueKind.Object)
            {
                throw new UsageException($"--baseline {path} is not a load-test report.json (it needs \"scenario\" and \"metrics\").");
            }

            if (!string.Equals(name.GetString(), scenario, StringComparison.OrdinalIgnoreCase))
            {
                throw new UsageException($"--baseline {path} is a report of scenario '{name.GetString()}', not '{scenario}'.");
            }

            return new Baseline(path, name.GetString()!, Text(root, "date"), Text(root, "command"), ReadDuration(root),
                metrics.EnumerateObject().ToDictionary(m => m.Name, m => Value(path, m), StringComparer.Ordinal), null);
        }
        catch (JsonException e)
        {
            throw new UsageException($"--baseline {path} is not valid JSON: {e.Message}");
        }
    }

    private static BaselineValue Value(string path, JsonProperty metric)
    {
        var value = metric.Value;
        if (value.ValueKind != JsonValueKind.Object || !value.TryGetProperty("value", out var number)
            || number.ValueKind is not (JsonValueKind.Number or JsonValueKind.Null))
        {
            throw new UsageException($"--baseline {path}: metric {metric.Name} has no numeric \"value\".");
        }

        return new BaselineValue(number.ValueKind == JsonValueKind.Number ? number.GetDouble() : null, Text(value, "unit") ?? string.Empty);
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static TimeSpan? ReadDuration(JsonElement root) =>
        root.TryGetProperty("run", out var run) && run.ValueKind == JsonValueKind.Object
        && run.TryGetProperty("duration_seconds", out var seconds) && seconds.ValueKind == JsonValueKind.Number
            ? TimeSpan.FromSeconds(seconds.GetDouble()) : null;

    /// <summary><c>10%</c>, <c>10</c> or <c>2.5 %</c>: a percentage from 0 to 1,000,000.</summary>
    private static double ParsePercent(string text)
    {
        var number = text.Trim();
        number = number.EndsWith('%') ? number[..^1].TrimEnd() : number;
        return double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) && value <= 1_000_000
            ? value
            : throw new UsageException($"--max-regression takes a percentage such as 10% or 2.5%, not '{text}'.");
    }
}
