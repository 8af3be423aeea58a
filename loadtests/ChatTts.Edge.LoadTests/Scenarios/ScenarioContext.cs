using ChatTts.Edge.LoadTests.Reporting;

namespace ChatTts.Edge.LoadTests.Scenarios;

/// <summary>What every scenario gets: the common settings, the clock, the console and the command that started it.</summary>
internal sealed record ScenarioContext(RunSettings Run, TimeProvider Time, TextWriter Output, TextWriter Error, string Command)
{
    /// <summary>Whether the console is a terminal (a live progress line may then rewrite itself).</summary>
    public bool Interactive { get; init; }

    /// <summary>The previous run this one is compared with (<c>--baseline</c>), if any.</summary>
    public Baseline? Baseline { get; init; }

    /// <summary>When the scenario started, as a <see cref="TimeProvider"/> timestamp (for the JUnit report's time).</summary>
    public long StartedAt { get; } = Time.GetTimestamp();

    /// <summary>Writes <c>report.md</c>, <c>report.html</c>, <c>report.json</c> and <c>junit.xml</c> into the run's output
    /// folder and the report as plain text to the console, each with the verdict (thresholds and baseline) first.</summary>
    public async Task PublishAsync(string scenario, Report report, ScenarioResult result)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(result);
        var verdict = RunVerdict.Of(result, Baseline);
        report.WithVerdict(verdict);
        if (result.Timeline is { } timeline)
        {
            StreamBreakdown.AddTo(report, timeline);
        }

        Directory.CreateDirectory(Run.OutputDirectory);
        var folder = Path.GetFullPath(Run.OutputDirectory);
        var text = report.ToPlainText();
        await File.WriteAllTextAsync(Path.Combine(folder, "report.md"), report.ToMarkdown(), CancellationToken.None);
        await File.WriteAllTextAsync(Path.Combine(folder, "report.html"), report.ToHtml(result.Timeline), CancellationToken.None);
        await File.WriteAllBytesAsync(Path.Combine(folder, "report.json"), JsonReport.Write(scenario, this, result, verdict), CancellationToken.None);
        await File.WriteAllBytesAsync(Path.Combine(folder, "junit.xml"), JUnitReport.Write(scenario, this, verdict, text), CancellationToken.None);
        await Output.WriteLineAsync();
        await Output.WriteAsync(text);
        await Output.WriteLineAsync($"{System.Environment.NewLine}reports: {Path.Combine(folder, "report.md")} (and report.html, report.json, junit.xml)");
        await Output.WriteLineAsync($"{verdict.Word}: {verdict.Summary}");
    }
}
