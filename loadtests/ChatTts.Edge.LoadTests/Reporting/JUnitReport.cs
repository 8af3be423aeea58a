using System.Globalization;
using System.Text;
using System.Xml;
using ChatTts.Edge.LoadTests.Metrics;
using ChatTts.Edge.LoadTests.Scenarios;

namespace ChatTts.Edge.LoadTests.Reporting;

/// <summary>
/// <c>junit.xml</c>, for CI systems that show test results (Jenkins, GitLab, GitHub actions that read JUnit): one
/// <c>testsuite</c> for the scenario's run, one <c>testcase</c> per threshold (named by the metric and its limit, e.g.
/// <c>ttfa.p99 &lt;= 500 ms</c>) and, with <c>--max-regression</c>, one per metric compared with the baseline. A missed
/// threshold or a regression is a <c>failure</c> whose message names the metric, the limit and the measured value.
/// The format is the Ant/Jenkins one that <c>loadtests/junit.xsd</c> describes.
/// </summary>
internal static class JUnitReport
{
    public static byte[] Write(string scenario, ScenarioContext context, RunVerdict verdict, string plainText)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(verdict);
        var cases = Cases(scenario, verdict);
        var failures = cases.Count(c => c.Failure is not null).ToString(CultureInfo.InvariantCulture);
        var tests = cases.Count.ToString(CultureInfo.InvariantCulture);
        var elapsed = context.Time.GetElapsedTime(context.StartedAt);
        var time = Seconds(elapsed);

        using var buffer = new MemoryStream();
        using (var xml = XmlWriter.Create(buffer, new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false) }))
        {
            xml.WriteStartDocument();
            xml.WriteStartElement("testsuites");
            xml.WriteAttributeString("name", "ChatTts.Edge load tests");
            xml.WriteAttributeString("tests", tests);
            xml.WriteAttributeString("failures", failures);
            xml.WriteAttributeString("errors", "0");
            xml.WriteAttributeString("time", time);

            xml.WriteStartElement("testsuite");
            xml.WriteAttributeString("name", "loadtests." + scenario);
            xml.WriteAttributeString("tests", tests);
            xml.WriteAttributeString("failures", failures);
            xml.WriteAttributeString("errors", "0");
            xml.WriteAttributeString("skipped", "0");
            xml.WriteAttributeString("time", time);
            // Ant's form: local date and time without a zone; this is UTC.
            xml.WriteAttributeString("timestamp", (context.Time.GetUtcNow() - elapsed).ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture));
            xml.WriteAttributeString("hostname", System.Environment.MachineName);

            xml.WriteStartElement("properties");
            Property(xml, "command", context.Command);
            Property(xml, "machine", MachineFacts.Describe());
            Property(xml, "verdict", $"{verdict.Word}: {verdict.Summary}");
            if (verdict.Baseline is { } baseline)
            {
                Property(xml, "baseline", baseline.Describe());
                if (baseline.MaxRegressionPercent is { } max)
                {
                    Property(xml, "max_regression", MetricFormat.Percent(max));
                }
            }

            xml.WriteEndElement();
            foreach (var (name, classname, failure, type, details) in cases)
            {
                xml.WriteStartElement("testcase");
                xml.WriteAttributeString("name", name);
                xml.WriteAttributeString("classname", classname);
                xml.WriteAttributeString("time", "0");
                if (failure is not null)
                {
                    xml.WriteStartElement("failure");
                    xml.WriteAttributeString("message", failure);
                    xml.WriteAttributeString("type", type);
                    xml.WriteString(details);
                    xml.WriteEndElement();
                }

                xml.WriteEndElement();
            }

            xml.WriteElementString("system-out", plainText);
            xml.WriteEndElement();
            xml.WriteEndElement();
            xml.WriteEndDocument();
        }

        return buffer.ToArray();
    }

    /// <summary>A test case: its name and class, and for a failed one the one-line message, the failure's type and
    /// details for the body.</summary>
    private static List<(string Name, string Classname, string? Failure, string Type, string Details)> Cases(string scenario, RunVerdict verdict)
    {
        var cases = new List<(string, string, string?, string, string)>();
        foreach (var threshold in verdict.Thresholds)
        {
            var name = threshold.Verdict?.Requirement(ascii: true) ?? threshold.Requirement;
            var message = threshold.Describe(ascii: true);
            var details = threshold.Verdict is { } v
                ? $"{message}\nlimit from {v.Threshold.Source}: {v.Threshold.Metric}={v.Threshold.Text}\n{v.Metric.Name}: {v.Metric.Description}"
                : message;
            cases.Add((name, $"loadtests.{scenario}.thresholds", threshold.Passed ? null : message, "threshold", details));
        }

        if (verdict.Comparison is { MaxRegressionPercent: { } max } comparison)
        {
            foreach (var change in comparison.Gated)
            {
                var regressed = change.Regressed(max);
                var message = regressed ? verdict.RegressionText(change) : change.Describe();
                cases.Add(($"{change.Current.Name} at most {MetricFormat.Percent(max)} worse than the baseline", $"loadtests.{scenario}.regressions",
                    regressed ? message : null, "regression", $"{message}\nbaseline: {verdict.Baseline!.Describe()}"));
            }
        }

        return cases;
    }

    private static void Property(XmlWriter xml, string name, string value)
    {
        xml.WriteStartElement("property");
        xml.WriteAttributeString("name", name);
        xml.WriteAttributeString("value", value);
        xml.WriteEndElement();
    }

    private static string Seconds(TimeSpan elapsed) => Math.Max(0, elapsed.TotalSeconds).ToString("0.###", CultureInfo.InvariantCulture);
}
