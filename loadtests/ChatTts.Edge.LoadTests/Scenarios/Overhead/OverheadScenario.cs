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
internal sealed class OverheadScenario : Scenario<OverheadSettings>
{
    public override string Name => OverheadSettings.Name;

    public override string Summary => "added time to first audio: the same emulated backend direct, through the edge (SSE) and through nginx (raw), " +
        "200 streams each by default, hey as a cross-check";

    public override IReadOnlyList<OptionHelp> Options => OverheadSettings.Options;

    public override RunDefaults Defaults => OverheadSettings.Defaults;

    protected override OverheadSettings Read(CommandLineArguments arguments) => OverheadSettings.Read(arguments);

    protected override Preparation Prepare(OverheadSettings settings, RunSettings run)
    {
        var limits = ThresholdSet.Read(Name, settings.Thresholds);
        ThresholdSet.Validate(limits, OverheadFigures.MetricNames());
        // Per stream: a socket at the client, two at nginx or the edge, one at the backend.
        return new Preparation(limits, FileLimits.Raise((4L * settings.Clients) + 4096));
    }

    protected override string StartLine(OverheadSettings settings, RunSettings run) =>
        $"{Name}: {settings.Describe()}; direct, edge and nginx {DurationFormat.Format(run.Duration)} each " +
        $"(warm-up {DurationFormat.Format(run.Warmup)}), then hey …";

    protected override Task<ScenarioResult> RunAsync(
        OverheadSettings settings, Preparation preparation, ScenarioContext context, CancellationToken cancellationToken) =>
        RunLocalAsync(settings.Environment(), context, async environment =>
        {
            OverheadMeasurement measurement;
            await using (var nginx = await NginxProcess.StartAsync(environment.Backends[0].Emulator.BaseAddress, context.Time, cancellationToken, settings.ProxyCpus))
            {
                measurement = await OverheadMeasurement.RunAsync(settings, environment, nginx, context, cancellationToken);
            }

            var result = preparation.Judge(OverheadFigures.Compute(measurement, context.Time), measurement.EdgeTimeline);
            return new ScenarioReport(OverheadReport.Build(settings, measurement, context, result, preparation.Files), result);
        }, cancellationToken);
}
