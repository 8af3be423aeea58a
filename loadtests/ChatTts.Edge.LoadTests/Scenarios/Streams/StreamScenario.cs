using ChatTts.Edge.LoadTests.CommandLine;
using ChatTts.Edge.LoadTests.Environment;
using ChatTts.Edge.LoadTests.Metrics;

namespace ChatTts.Edge.LoadTests.Scenarios.Streams;

/// <summary>
/// A scenario that streams through the proxy under a load model and judges its thresholds from
/// <c>appsettings/loadtests.json</c> (and <c>--threshold</c>): <c>smoke</c>, <c>steady</c>, <c>open</c>, <c>capacity</c>.
/// Without <c>--target</c> it starts emulated backends and the proxy on loopback and stops them at the end.
/// </summary>
internal sealed class StreamScenario(StreamProfile profile) : IScenario
{
    public string Name => profile.Name;

    public string Summary => profile.Summary;

    public IReadOnlyList<OptionHelp> Options => StreamSettings.Options;

    public RunDefaults Defaults => profile.Defaults;

    public async Task<ScenarioResult> RunAsync(CommandLineArguments arguments, ScenarioContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(context);
        var settings = StreamSettings.Read(arguments, profile);
        arguments.ThrowIfUnread();
        var names = StreamRun.MetricNames(local: settings.Target is null);
        // Configured limits on what only a local run measures (the proxy's own CPU and memory) do not apply to a target.
        var limits = ThresholdSet.Read(Name, settings.Thresholds)
            .Where(l => l.Source == ThresholdSet.CommandLine || names.Contains(l.Metric)).ToList();
        ThresholdSet.Validate(limits, names);
        var files = FileLimits.Raise(4L * settings.MostStreams + 4096);

        await context.Output.WriteLineAsync($"{Name}: {StreamReport.LoadText(settings)}; " +
            $"{DurationFormat.Format(context.Run.Duration)} (warm-up {DurationFormat.Format(context.Run.Warmup)}) against " +
            (settings.Target is { } target ? target.AbsoluteUri : $"a local proxy and {settings.Profile.Backends} emulated backends") + " …");
        if (settings.Target is { } remote)
        {
            var run = await StreamRun.RunAsync(settings, remote, null, context, cancellationToken);
            return await JudgeAndPublishAsync(settings, limits, run, context, files);
        }

        await using var environment = await LocalEnvironment.StartAsync(settings.Environment(), context.Time, cancellationToken);
        return await environment.RunAsync(async () =>
        {
            var address = settings.Profile.Http2 ? await Http2Endpoint.FindAsync(environment.ProxyAddresses, cancellationToken) : environment.ProxyAddress;
            var run = await StreamRun.RunAsync(settings, address, environment.ProxyProcessId, context, cancellationToken);
            run.Metrics.Add("proxy_exited", environment.ProxyExited ? 1 : 0, MetricUnit.Count, MetricDirection.LowerIsBetter, "1 when the proxy process ended during the run");
            return await JudgeAndPublishAsync(settings, limits, run, context, files);
        }, context.Error, cancellationToken);
    }

    private async Task<ScenarioResult> JudgeAndPublishAsync(
        StreamSettings settings, IReadOnlyList<(string Metric, string Limit, string Source)> limits, StreamRunResult run, ScenarioContext context,
        long? files)
    {
        var verdicts = ThresholdSet.Judge(limits, run.Metrics);
        var result = new ScenarioResult(ScenarioResult.From(verdicts)) { Metrics = run.Metrics, Timeline = run.Timeline };
        var report = StreamReport.Build(Name, settings, run, context, result, files);
        await context.PublishAsync(Name, report, result);
        return result;
    }
}
