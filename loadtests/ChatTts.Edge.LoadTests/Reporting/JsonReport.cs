using System.Text.Json;
using ChatTts.Edge.LoadTests.Metrics;
using ChatTts.Edge.LoadTests.Scenarios;

namespace ChatTts.Edge.LoadTests.Reporting;

/// <summary><c>report.json</c>: the verdict with its reasons, every metric (value, unit, which way is better, what it
/// measures and, with a baseline, its change), every threshold with <c>passed</c> and its margin, for CI, dashboards and
/// a later run's <c>--baseline</c>. A value without samples is <c>null</c>.</summary>
internal static class JsonReport
{
    public static byte[] Write(string scenario, ScenarioContext context, ScenarioResult result, RunVerdict verdict)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(verdict);
        var changes = verdict.Comparison?.Changes.ToDictionary(c => c.Current.Name, StringComparer.Ordinal) ?? [];
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("scenario", scenario);
            json.WriteBoolean("passed", verdict.Passed);
            json.WriteString("summary", verdict.Summary);
            json.WriteStartArray("reasons");
            foreach (var reason in verdict.Reasons())
            {
                json.WriteStringValue(reason);
            }

            json.WriteEndArray();
            json.WriteString("command", context.Command);
            json.WriteString("date", MachineFacts.Date(context.Time));
            json.WriteString("machine", MachineFacts.Describe());
            json.WriteStartObject("run");
            json.WriteNumber("duration_seconds", context.Run.Duration.TotalSeconds);
            json.WriteNumber("warmup_seconds", context.Run.Warmup.TotalSeconds);
            json.WriteEndObject();
            if (verdict.Baseline is { } baseline)
            {
                WriteBaseline(json, baseline, verdict);
            }

            json.WriteStartObject("metrics");
            foreach (var metric in result.Metrics.All)
            {
                json.WriteStartObject(metric.Name);
                WriteNumberOrNull(json, "value", metric.Value);
                json.WriteString("unit", MetricFormat.UnitName(metric.Unit));
                json.WriteString("better", metric.Direction switch
                {
                    MetricDirection.LowerIsBetter => "lower",
                    MetricDirection.HigherIsBetter => "higher",
                    _ => "neither",
                });
                json.WriteString("description", metric.Description);
                if (changes.GetValueOrDefault(metric.Name) is { } change)
                {
                    WriteChange(json, change, verdict.Comparison!.MaxRegressionPercent);
                }

                json.WriteEndObject();
            }

            json.WriteEndObject();
            json.WriteStartArray("thresholds");
            foreach (var threshold in result.Thresholds)
            {
                WriteThreshold(json, threshold);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void WriteBaseline(Utf8JsonWriter json, Baseline baseline, RunVerdict verdict)
    {
        json.WriteStartObject("baseline");
        json.WriteString("path", baseline.Path);
        json.WriteString("scenario", baseline.Scenario);
        json.WriteString("date", baseline.Date);
        json.WriteString("command", baseline.Command);
        WriteNumberOrNull(json, "duration_seconds", baseline.Duration?.TotalSeconds ?? double.NaN);
        WriteNumberOrNull(json, "max_regression_percent", baseline.MaxRegressionPercent ?? double.NaN);
        json.WriteStartArray("regressions");
        foreach (var regression in verdict.Regressions)
        {
            json.WriteStringValue(regression.Current.Name);
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteChange(Utf8JsonWriter json, MetricChange change, double? maxRegressionPercent)
    {
        json.WriteStartObject("baseline");
        WriteNumberOrNull(json, "value", change.Baseline ?? double.NaN);
        WriteNumberOrNull(json, "change", change.Difference);
        WriteNumberOrNull(json, "change_percent", change.Relative is { } r ? r * 100 : double.NaN);
        json.WriteString("verdict", change.Verdict switch
        {
            ChangeVerdict.Better => "better",
            ChangeVerdict.Worse => "worse",
            ChangeVerdict.Same => "same",
            _ => "not_compared",
        });
        if (change.NotComparedBecause is { } why)
        {
            json.WriteString("not_compared_because", why);
        }

        json.WriteBoolean("regressed", change.Regressed(maxRegressionPercent));
        json.WriteEndObject();
    }

    private static void WriteThreshold(Utf8JsonWriter json, ThresholdResult threshold)
    {
        json.WriteStartObject();
        json.WriteString("requirement", threshold.Requirement);
        json.WriteString("actual", threshold.Actual);
        json.WriteBoolean("passed", threshold.Passed);
        json.WriteString("description", threshold.Describe());
        if (threshold.Verdict is { } v)
        {
            json.WriteString("metric", v.Threshold.Metric);
            json.WriteString("operator", v.Threshold.Operator);
            json.WriteNumber("limit", v.Threshold.Limit);
            json.WriteString("limit_text", v.Threshold.Text);
            WriteNumberOrNull(json, "value", v.Metric.Value);
            json.WriteString("unit", MetricFormat.UnitName(v.Metric.Unit));
            json.WriteString("source", v.Threshold.Source);
            WriteNumberOrNull(json, "missed_by", v.Passed ? double.NaN : v.Margin);
            WriteNumberOrNull(json, "missed_by_percent", !v.Passed && v.RelativeMargin is { } r ? r * 100 : double.NaN);
        }

        json.WriteEndObject();
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
}
