using ChatTts.Edge.LoadTests.CommandLine;
using ChatTts.Edge.LoadTests.Environment;

namespace ChatTts.Edge.LoadTests.Scenarios.Utilisation;

/// <summary>
/// How busy the admission queue keeps the GPUs: a closed load of three clients per emulated GPU (so two of every
/// three requests must wait), through the real proxy process. Every GPU must be busy at least 95% of the window,
/// never run two syntheses at once, and every stream must end with <c>done</c>.
/// </summary>
internal sealed class UtilisationScenario : IScenario
{
    public string Name => "utilisation";

    public string Summary => "GPU utilisation behind the admission queue: 3× more clients than GPUs, busy ≥ 95%, one synthesis per GPU, no failures";

    public IReadOnlyList<OptionHelp> Options => UtilisationSettings.Options;

    public RunDefaults Defaults => RunDefaults.Standard;

    public async Task<ScenarioResult> RunAsync(CommandLineArguments arguments, ScenarioContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(context);
        var settings = UtilisationSettings.Read(arguments);
        arguments.ThrowIfUnread();

        await context.Output.WriteLineAsync(
            $"utilisation: starting {settings.Backends} emulated GPUs and the proxy; {settings.Clients} clients for " +
            $"{DurationFormat.Format(context.Run.Duration)} (warm-up {DurationFormat.Format(context.Run.Warmup)}) …");
        await using var environment = await LocalEnvironment.StartAsync(settings.Environment(), context.Time, cancellationToken);
        return await environment.RunAsync(async () =>
        {
            var figures = await UtilisationMeasurement.RunAsync(environment, settings, context, cancellationToken);
            var result = UtilisationReport.Judge(figures, settings);
            await context.PublishAsync(Name, UtilisationReport.Build(figures, settings, context, result), result);
            return result;
        }, context.Error, cancellationToken);
    }
}
