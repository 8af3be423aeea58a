using ChatTts.Edge.LoadTests.CommandLine;
using ChatTts.Edge.LoadTests.Environment;
using ChatTts.Edge.LoadTests.Metrics;
using ChatTts.Edge.LoadTests.Scenarios.Streams;

namespace ChatTts.Edge.LoadTests.Scenarios.Failover;

/// <summary>
/// A GPU dies mid-run: three emulated backends that run one synthesis at a time (as ChatTTS does), six closed-loop
/// clients (so requests queue in the proxy), streams of a few seconds; in the middle of the run backend
/// <see cref="KilledBackend"/> is stopped, its synthesis under way cut. No stream may hang, only streams on that
/// backend at the kill may fail, and every stream started after it must succeed on the others.
/// </summary>
internal sealed class FailoverScenario : Scenario<StreamSettings>
{
    /// <summary>The destination that dies: the second of the emulated backends.</summary>
    public const string KilledBackend = "gpu1";

    /// <summary>Streams of about 3.3 s (6.5 s of audio at RTF 0.5), first audio after 100 ms, one synthesis per GPU.</summary>
    public static readonly StreamProfile Profile = StreamProfile.Smoke with
    {
        Name = "failover",
        Summary = "a backend is killed mid-run: no stream hangs, errors only for streams on that backend",
        Defaults = new RunDefaults(TimeSpan.FromSeconds(40), TimeSpan.FromSeconds(5)),
        Clients = 6,
        Ramp = TimeSpan.FromSeconds(1),
        Backends = 3,
        BackendConcurrency = 1,
        RealTimeFactor = 0.5,
        FirstChunkDelay = TimeSpan.FromMilliseconds(100),
        ChunkMs = 200,
        Text = StreamProfile.ShortText,
    };

    // The backend dies under the scenario's own eyes: a deployment given with --target cannot be killed from here.
    private static readonly string[] RemoteOnly = ["--target <url>", "--api-key <key>"];

    public override string Name => Profile.Name;

    public override string Summary => Profile.Summary;

    public override IReadOnlyList<OptionHelp> Options { get; } = [.. StreamSettings.Options.Where(o => !RemoteOnly.Contains(o.Name))];

    public override RunDefaults Defaults => Profile.Defaults;

    protected override StreamSettings Read(CommandLineArguments arguments) => StreamSettings.Read(arguments, Profile);

    protected override Preparation Prepare(StreamSettings settings, RunSettings run)
    {
        if (settings.Target is not null || settings.ApiKey is not null)
        {
            throw new UsageException("failover kills a backend it starts itself: --target and --api-key do not apply.");
        }

        if (settings.Profile.Backends < 2)
        {
            throw new UsageException($"failover needs --backends 2 or more: {KilledBackend} dies and the others carry on.");
        }

        var limits = ThresholdSet.Read(Name, settings.Thresholds);
        ThresholdSet.Validate(limits, [.. StreamRun.MetricNames(local: true), .. FailoverFigures.MetricNames]);
        return new Preparation(limits, FileLimits.Raise(4L * settings.MostStreams + 4096));
    }

    protected override string StartLine(StreamSettings settings, RunSettings run)
    {
        var killAt = KillAt(run);
        return $"{Name}: {StreamReport.LoadText(settings)}; {run.Timing} against a local proxy and {settings.Profile.Backends} emulated backends; " +
            $"{KilledBackend} dies at {DurationFormat.Format(killAt > run.Warmup ? killAt : run.Warmup)} …";
    }

    protected override Task<ScenarioResult> RunAsync(
        StreamSettings settings, Preparation preparation, ScenarioContext context, CancellationToken cancellationToken) =>
        RunLocalAsync(settings.Environment(), context, async environment =>
        {
            var run = context.Run;
            var killAt = KillAt(run);
            var kill = new BackendKill(environment.Backends.Single(b => b.DestinationId == KilledBackend), context.Time);
            var address = settings.Profile.Http2 ? await Http2Endpoint.FindAsync(environment.ProxyAddresses, cancellationToken) : environment.ProxyAddress;
            var loadStarted = context.Time.GetTimestamp();

            // duringRun starts once the warm-up is over and is told the time left: the kill comes at the middle of the run.
            var measured = await StreamRun.RunAsync(settings, address, environment.ProxyProcessId, context, cancellationToken,
                (left, ct) => kill.RunAsync(left - (run.Duration - killAt), ct));
            measured.Metrics.Add("proxy_exited", environment.ProxyExited ? 1 : 0, MetricUnit.Count, MetricDirection.LowerIsBetter, "1 when the proxy process ended during the run");
            var figures = FailoverFigures.Of(measured.Streams, settings, kill, loadStarted, context.Time);
            figures.AddTo(measured.Metrics);

            var result = preparation.Judge(measured.Metrics, measured.Timeline);
            var warnings = ProxyWarnings.Of(await environment.ProxyOutputAsync());
            return new ScenarioReport(FailoverReport.Build(Name, settings, measured, figures, kill, context, result, preparation.Files, warnings), result);
        }, cancellationToken);

    /// <summary>The middle of the run.</summary>
    private static TimeSpan KillAt(RunSettings run) => run.Duration / 2;
}
