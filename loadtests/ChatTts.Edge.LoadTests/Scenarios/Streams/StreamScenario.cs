using ChatTts.Edge.LoadTests.CommandLine;
using ChatTts.Edge.LoadTests.Environment;
using ChatTts.Edge.LoadTests.Metrics;

namespace ChatTts.Edge.LoadTests.Scenarios.Streams;

/// <summary>
/// A scenario that streams through the proxy under a load model and judges its thresholds from
/// <c>appsettings/loadtests.json</c> (and <c>--threshold</c>): <c>smoke</c>, <c>steady</c>, <c>open</c>, <c>capacity</c>.
/// Without <c>--target</c> it starts emulated backends and the proxy on loopback and stops them at the end.
/// </summary>
internal sealed class StreamScenario(StreamProfile profile) : Scenario<StreamSettings>
{
    public override string Name => profile.Name;

    public override string Summary => profile.Summary;

    public override IReadOnlyList<OptionHelp> Options => StreamSettings.Options;

    public override RunDefaults Defaults => profile.Defaults;

    protected override StreamSettings Read(CommandLineArguments arguments) => StreamSettings.Read(arguments, profile);

    protected override Preparation Prepare(StreamSettings settings, RunSettings run)
    {
        var names = StreamRun.MetricNames(local: settings.Target is null);
        // Configured limits on what only a local run measures (the proxy's own CPU and memory) do not apply to a target.
        var limits = ThresholdSet.Read(Name, settings.Thresholds)
            .Where(l => l.Source == ThresholdSet.CommandLine || names.Contains(l.Metric)).ToList();
        ThresholdSet.Validate(limits, names);
        return new Preparation(limits, FileLimits.Raise(4L * settings.MostStreams + 4096));
    }

    protected override string StartLine(StreamSettings settings, RunSettings run) =>
        $"{Name}: {StreamReport.LoadText(settings)}; {run.Timing} against " +
        (settings.Target is { } target ? target.AbsoluteUri : $"a local proxy and {settings.Profile.Backends} emulated backends") + " …";

    protected override async Task<ScenarioResult> RunAsync(
        StreamSettings settings, Preparation preparation, ScenarioContext context, CancellationToken cancellationToken)
    {
        if (settings.Target is { } remote)
        {
            var run = await StreamRun.RunAsync(settings, remote, null, context, cancellationToken);
            return await PublishAsync(Report(settings, preparation, run, context), context);
        }

        return await RunLocalAsync(settings.Environment(), context, async environment =>
        {
            var address = settings.Profile.Http2 ? await Http2Endpoint.FindAsync(environment.ProxyAddresses, cancellationToken) : environment.ProxyAddress;
            var run = await StreamRun.RunAsync(settings, address, environment.ProxyProcessId, context, cancellationToken);
            run.Metrics.Add("proxy_exited", environment.ProxyExited ? 1 : 0, MetricUnit.Count, MetricDirection.LowerIsBetter, "1 when the proxy process ended during the run");
            return Report(settings, preparation, run, context);
        }, cancellationToken);
    }

    private ScenarioReport Report(StreamSettings settings, Preparation preparation, StreamRunResult run, ScenarioContext context)
    {
        var result = preparation.Judge(run.Metrics, run.Timeline);
        return new ScenarioReport(StreamReport.Build(Name, settings, run, context, result, preparation.Files), result);
    }
}
