using ChatTts.Edge.LoadTests.Reporting;

namespace ChatTts.Edge.LoadTests.Scenarios;

/// <summary>What every scenario gets: the common settings, the clock, the console and the command that started it.</summary>
internal sealed record ScenarioContext(RunSettings Run, TimeProvider Time, TextWriter Output, TextWriter Error, string Command)
{
    /// <summary>Writes <c>report.md</c> into the run's output folder and the report as plain text to the console.</summary>
    public async Task PublishAsync(Report report)
    {
        ArgumentNullException.ThrowIfNull(report);
        Directory.CreateDirectory(Run.OutputDirectory);
        var path = Path.GetFullPath(Path.Combine(Run.OutputDirectory, "report.md"));
        await File.WriteAllTextAsync(path, report.ToMarkdown(), CancellationToken.None);
        await Output.WriteLineAsync();
        await Output.WriteAsync(report.ToPlainText());
        await Output.WriteLineAsync($"{System.Environment.NewLine}report: {path}");
    }
}
