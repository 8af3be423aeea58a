using System.Text.Json;
using ChatTts.Edge.LoadTests.Metrics;
using ChatTts.Edge.LoadTests.Scenarios;

namespace ChatTts.Edge.LoadTests.Reporting;

/// <summary><c>report.json</c>: the verdict, every metric (value, unit, what it measures) and every threshold with
/// <c>passed</c>, for CI and dashboards. A metric without samples has the value <c>null</c>.</summary>
internal static class JsonReport
{
    public static byte[] Write(string scenario, ScenarioContext context, ScenarioResult result)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(result);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("scenario", scenario);
            json.WriteBoolean("passed", result.Passed);
            json.WriteString("command", context.Command);
            json.WriteString("date", MachineFacts.Date(context.Time));
            json.WriteString("machine", MachineFacts.Describe());
            json.WriteStartObject("run");
            json.WriteNumber("duration_seconds", context.Run.Duration.TotalSeconds);
            json.WriteNumber("warmup_seconds", context.Run.Warmup.TotalSeconds);
            json.WriteEndObject();

            json.WriteStartObject("metrics");
            foreach (var metric in result.Metrics.All)
            {
                json.WriteStartObject(metric.Name);
                WriteNumberOrNull(json, "value", metric.Value);
                json.WriteString("unit", Unit(metric.Unit));
                json.WriteString("better", metric.Direction == MetricDirection.LowerIsBetter ? "lower" : "higher");
                json.WriteString("description", metric.Description);
                json.WriteEndObject();
            }

            json.WriteEndObject();
            json.WriteStartArray("thresholds");
            foreach (var threshold in result.Thresholds)
            {
                json.WriteStartObject();
                json.WriteString("requirement", threshold.Requirement);
                json.WriteString("actual", threshold.Actual);
                json.WriteBoolean("passed", threshold.Passed);
                if (threshold.Verdict is { } v)
                {
                    json.WriteString("metric", v.Threshold.Metric);
                    json.WriteString("operator", v.Threshold.Operator);
                    json.WriteNumber("limit", v.Threshold.Limit);
                    json.WriteString("limit_text", v.Threshold.Text);
                    WriteNumberOrNull(json, "value", v.Metric.Value);
                    json.WriteString("unit", Unit(v.Metric.Unit));
                    json.WriteString("source", v.Threshold.Source);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void WriteNumberOrNull(Utf8JsonWriter json, string name, double value)
    {
        if (double.IsFinite(value))
        {
            json.WriteNumber(name, value);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static string Unit(MetricUnit unit) => unit switch
    {
        MetricUnit.Milliseconds => "ms",
        MetricUnit.Count => "count",
        MetricUnit.Ratio => "ratio",
        MetricUnit.PerSecond => "per_second",
        MetricUnit.Seconds => "s",
        MetricUnit.Megabytes => "MB",
        _ => unit.ToString(),
    };
}
