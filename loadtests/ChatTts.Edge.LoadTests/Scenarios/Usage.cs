using System.Text;
using ChatTts.Edge.LoadTests.CommandLine;
using ChatTts.Edge.LoadTests.Reporting;

namespace ChatTts.Edge.LoadTests.Scenarios;

/// <summary>The <c>--help</c> text, built from the scenarios themselves.</summary>
internal static class Usage
{
    public static string Text(IReadOnlyList<IScenario> scenarios)
    {
        var text = new StringBuilder()
            .AppendLine("dotnet run -c Release --project loadtests/ChatTts.Edge.LoadTests -- <scenario> [options]")
            .AppendLine()
            .AppendLine("Exit codes: 0 every threshold held, 1 a threshold was missed (or a metric regressed beyond --max-regression), 2 usage or environment error.")
            .AppendLine()
            .AppendLine("Options of every scenario:");
        AppendOptions(text, [.. RunSettings.Options, .. Baseline.Options]);
        foreach (var scenario in scenarios)
        {
            text.AppendLine().Append(scenario.Name).Append(": ").AppendLine(scenario.Summary);
            AppendOptions(text, scenario.Options);
            if (scenario.Defaults != RunDefaults.Standard)
            {
                AppendOptions(text, [new("--duration, --warmup", $"default {DurationFormat.Format(scenario.Defaults.Duration)} and " +
                    $"{DurationFormat.Format(scenario.Defaults.Warmup)} for this scenario")]);
            }
        }

        return text.ToString();
    }

    private static void AppendOptions(StringBuilder text, IReadOnlyList<OptionHelp> options)
    {
        foreach (var option in options)
        {
            text.Append("  ").Append(option.Name.PadRight(28)).AppendLine(option.Help);
        }
    }
}
