using System.Reflection;
using ChatTts.Edge.LoadTests.CommandLine;
using ChatTts.Edge.LoadTests.Environment;
using ChatTts.Edge.LoadTests.Reporting;
using ChatTts.Edge.TestKit;

namespace ChatTts.Edge.LoadTests.Scenarios;

/// <summary>Parses the command line, runs one scenario and turns its verdict (thresholds, and regressions against a
/// <c>--baseline</c>) or failure into an exit code.</summary>
internal static class ScenarioRunner
{
    /// <param name="interactive">Whether <paramref name="output"/> is a terminal, where progress rewrites one line.</param>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, TimeProvider time, CancellationToken cancellationToken, bool interactive = false)
    {
        ArgumentNullException.ThrowIfNull(error);
        try
        {
            var arguments = CommandLineArguments.Parse(args);
            if (arguments.HelpRequested)
            {
                await output.WriteAsync(Usage.Text(ScenarioCatalog.All));
                return ExitCodes.Passed;
            }

            var scenario = ScenarioCatalog.Find(arguments.Scenario!)
                ?? throw new UsageException($"Unknown scenario '{arguments.Scenario}'; known: {string.Join(", ", ScenarioCatalog.All.Select(s => s.Name))}.");
            var context = new ScenarioContext(RunSettings.Read(arguments, scenario.Name, scenario.Defaults), time, output, error, CommandText(args))
            {
                Interactive = interactive,
                Baseline = Baseline.Read(arguments, scenario.Name),
            };
            var result = await scenario.RunAsync(arguments, context, cancellationToken);
            return RunVerdict.Of(result, context.Baseline).Passed ? ExitCodes.Passed : ExitCodes.ThresholdsMissed;
        }
        catch (UsageException e)
        {
            await error.WriteLineAsync($"usage error: {e.Message} (--help lists the scenarios and options)");
        }
        catch (EnvironmentException e)
        {
            await error.WriteLineAsync($"environment error: {e.Message}");
            await error.WriteAsync(e.Details);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await error.WriteLineAsync("interrupted: the environment was stopped and no report was written.");
        }
        catch (Exception e)
        {
            // A bug or an environment failure nobody foresaw: still exit code 2, with everything known about it.
            await error.WriteLineAsync($"error: the run failed unexpectedly: {e}");
        }

        return ExitCodes.UsageOrEnvironmentError;
    }

    /// <summary>The command that repeats this run, for the report.</summary>
    private static string CommandText(IEnumerable<string> args)
    {
        var configuration = typeof(ScenarioRunner).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
        var quoted = args.Select(a => a.Length > 0 && a.All(c => char.IsAsciiLetterOrDigit(c) || "-_./:=".Contains(c, StringComparison.Ordinal)) ? a : $"'{a}'");
        return $"dotnet run -c {configuration} --project loadtests/ChatTts.Edge.LoadTests -- {string.Join(' ', quoted)}";
    }
}
