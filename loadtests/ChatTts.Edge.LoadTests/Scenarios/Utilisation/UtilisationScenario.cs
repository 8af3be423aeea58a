using ChatTts.Edge.LoadTests.CommandLine;

namespace ChatTts.Edge.LoadTests.Scenarios.Utilisation;

/// <summary>
/// How busy the admission queue keeps the GPUs: a closed load of three clients per emulated GPU (so two of every
/// three requests must wait), through the real proxy process. Every GPU must be busy at least 95% of the window,
/// never run two syntheses at once, and every stream must end with <c>done</c>.
/// </summary>
internal sealed class UtilisationScenario : Scenario<UtilisationSettings>
{
    public override string Name => "utilisation";

    public override string Summary => "GPU utilisation behind the admission queue: 3× more clients than GPUs, busy ≥ 95%, one synthesis per GPU, no failures";

    public override IReadOnlyList<OptionHelp> Options => UtilisationSettings.Options;

    protected override UtilisationSettings Read(CommandLineArguments arguments) => UtilisationSettings.Read(arguments);

    protected override Preparation Prepare(UtilisationSettings settings, RunSettings run) =>
        settings.Replicas > 1 && !run.FleetAdmission
            ? throw new UsageException("--replicas above 1 needs --admission redis: replicas that count GPU slots on their own double up the GPUs.")
            : Preparation.None;

    protected override string StartLine(UtilisationSettings settings, RunSettings run) =>
        $"utilisation: starting {settings.Backends} emulated GPUs and {settings.Replicas} proxy replica(s); {settings.Clients} clients for {run.Timing} …";

    protected override Task<ScenarioResult> RunAsync(
        UtilisationSettings settings, Preparation preparation, ScenarioContext context, CancellationToken cancellationToken) =>
        RunLocalAsync(settings.Environment(), context, async environment =>
        {
            var figures = await UtilisationMeasurement.RunAsync(environment, settings, context, cancellationToken);
            var result = UtilisationReport.Judge(figures, settings);
            return new ScenarioReport(UtilisationReport.Build(figures, settings, context, result), result);
        }, cancellationToken);
}
