using ChatTts.Edge.LoadTests.Reporting;

namespace ChatTts.Edge.LoadTests.Scenarios;

/// <summary>What every scenario gets: the common settings, the clock, the console and the command that started it.</summary>
internal sealed record ScenarioContext(RunSettings Run, TimeProvider Time, TextWriter Output, TextWriter Error, string Command)
{
    /// <summary>Whether the console is a terminal (a live progress line may then rewrite itself).</summary>
    public bool Interactive { get; init; }

    /// <summary>Writes <c>report.md</c>, <c>report.html</c> and <c>report.json</c> into the run's output folder and the
    /// report as plain text to the console.</summary>
    public async Task PublishAsync(string scenario, Report report, ScenarioResult result)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(result);
        Directory.CreateDirectory(Run.OutputDirectory);
        var folder = Path.GetFullPath(Run.OutputDirectory);
        await File.WriteAllTextAsync(Path.Combine(folder, "report.md"), report.ToMarkdown(), CancellationToken.None);
        await File.WriteAllTextAsync(Path.Combine(folder, "report.html"), report.ToHtml(result.Timeline), CancellationToken.None);
        await File.WriteAllBytesAsync(Path.Combine(folder, "report.json"), JsonReport.Write(scenario, this, result), CancellationToken.None);
        await Output.WriteLineAsync();
        await Output.WriteAsync(report.ToPlainText());
        await Output.WriteLineAsync($"{System.Environment.NewLine}reports: {Path.Combine(folder, "report.md")} (and report.html, report.json)");
    }
}
