using ChatTts.Edge.LoadTests.CommandLine;
using ChatTts.Edge.LoadTests.Environment;
using ChatTts.Edge.LoadTests.Metrics;

namespace ChatTts.Edge.LoadTests.Scenarios.Overhead;

/// <summary>
/// What the edge adds to the time to first audio: one emulated backend measured three ways in one run — directly,
/// through ChatTts.Edge (SSE) and through nginx (the raw stream, unbuffered) — under the same closed load, with each
/// proxy's added latency as the difference of its percentiles and direct's, and hey as an independent check of one
/// figure. Thresholds come from <c>appsettings/loadtests.json</c> and <c>--threshold</c>.
/// </summary>
internal sealed class OverheadScenario : IScenario
{
    public string Name => OverheadSettings.Name;

    public string Summary => "added time to first audio: the same emulated backend direct, through the edge (SSE) and through nginx (raw), " +
        "200 streams each by default, hey as a cross-check";

    public IReadOnlyList<OptionHelp> Options => OverheadSettings.Options;

    public RunDefaults Defaults => OverheadSettings.Defaults;

    public async Task<ScenarioResult> RunAsync(CommandLineArguments arguments, ScenarioContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(context);
        var settings = OverheadSettings.Read(arguments);
        arguments.ThrowIfUnread();
        var limits = ThresholdSet.Read(Name, settings.Thresholds);
        ThresholdSet.Validate(limits, OverheadFigures.MetricNames());
        // Per stream: a socket at the client, two at nginx or the edge, one at the backend.
        var files = FileLimits.Raise((4L * settings.Clients) + 4096);

        await context.Output.WriteLineAsync($"{Name}: {settings.Describe()}; direct, edge and nginx {DurationFormat.Format(context.Run.Duration)} each " +
            $"(warm-up {DurationFormat.Format(context.Run.Warmup)}), then hey …");
        await using var environment = await LocalEnvironment.StartAsync(settings.Environment(), context.Time, cancellationToken);
        return await environment.RunAsync(async () =>
        {
            OverheadMeasurement measurement;
            await using (var nginx = await NginxProcess.StartAsync(environment.Backends[0].Emulator.BaseAddress, context.Time, cancellationToken, settings.ProxyCpus))
            {
                measurement = await OverheadMeasurement.RunAsync(settings, environment, nginx, context, cancellationToken);
            }

            var metrics = OverheadFigures.Compute(measurement, context.Time);
            var verdicts = ThresholdSet.Judge(limits, metrics);
            var result = new ScenarioResult(ScenarioResult.From(verdicts)) { Metrics = metrics, Timeline = measurement.EdgeTimeline };
            await context.PublishAsync(Name, OverheadReport.Build(settings, measurement, context, result, files), result);
            return result;
        }, context.Error, cancellationToken);
    }
}
