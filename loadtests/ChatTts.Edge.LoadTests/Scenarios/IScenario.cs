using ChatTts.Edge.LoadTests.CommandLine;

namespace ChatTts.Edge.LoadTests.Scenarios;

/// <summary>One load-test scenario: starts what it needs, applies load, reports, and judges its thresholds.</summary>
internal interface IScenario
{
    /// <summary>The name on the command line.</summary>
    string Name { get; }

    /// <summary>One line for <c>--help</c>.</summary>
    string Summary { get; }

    /// <summary>The scenario's own options, for <c>--help</c>.</summary>
    IReadOnlyList<OptionHelp> Options { get; }

    /// <summary>Its defaults for <c>--duration</c> and <c>--warmup</c> (most use <see cref="RunDefaults.Standard"/>).</summary>
    RunDefaults Defaults { get; }

    /// <summary>Reads its options first (throwing <see cref="UsageException"/> before anything starts), then runs.</summary>
    Task<ScenarioResult> RunAsync(CommandLineArguments arguments, ScenarioContext context, CancellationToken cancellationToken);
}

/// <summary>One option in <c>--help</c>: its name with a placeholder, and what it does (with its default).</summary>
internal sealed record OptionHelp(string Name, string Help);
