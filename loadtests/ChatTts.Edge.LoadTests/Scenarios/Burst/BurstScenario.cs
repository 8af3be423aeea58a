using ChatTts.Edge.LoadTests.CommandLine;
using ChatTts.Edge.LoadTests.Environment;
using ChatTts.Edge.LoadTests.Load;
using ChatTts.Edge.LoadTests.Metrics;
using ChatTts.Edge.LoadTests.Reporting;
using ChatTts.Edge.TestKit;

namespace ChatTts.Edge.LoadTests.Scenarios.Burst;

/// <summary>
/// Quota enforcement under load: many clients fire requests with one API key as fast as they are answered, at two
/// proxy replicas that keep the key's GCRA state in one real <c>redis-server</c>. The requests admitted must match
/// the plan (Burst at once, then one per emission interval) within one, every other request must be a 429 with
/// <c>Retry-After</c>, and the admitted streams must carry valid audio.
/// </summary>
internal sealed class BurstScenario : Scenario<BurstSettings>
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);

    public override string Name => "burst";

    public override string Summary => "quota enforcement under load: the count of 429s matches the plan (GCRA in Redis, shared by two proxy replicas)";

    public override IReadOnlyList<OptionHelp> Options => BurstSettings.Options;

    public override RunDefaults Defaults => BurstSettings.Defaults;

    protected override BurstSettings Read(CommandLineArguments arguments) => BurstSettings.Read(arguments);

    protected override Preparation Prepare(BurstSettings settings, RunSettings run)
    {
        if (run.Warmup > TimeSpan.Zero)
        {
            throw new UsageException("burst has no warm-up: the burst is the start of the run, and every request counts.");
        }

        var limits = ThresholdSet.Read(Name, settings.Thresholds);
        ThresholdSet.Validate(limits, BurstFigures.MetricNames(settings));
        return new Preparation(limits, FileLimits.Raise(4L * settings.Clients + 4096));
    }

    protected override string StartLine(BurstSettings settings, RunSettings run) =>
        $"{Name}: starting redis-server, {settings.Backends} emulated GPUs and {settings.Replicas} proxy replica(s); " +
        $"{BurstReport.LoadText(settings)}, for {DurationFormat.Format(run.Duration)} …";

    protected override async Task<ScenarioResult> RunAsync(
        BurstSettings settings, Preparation preparation, ScenarioContext context, CancellationToken cancellationToken)
    {
        var time = context.Time;
        var run = context.Run;
        await using var redis = await RedisServer.StartAsync(time, cancellationToken);
        return await RunLocalAsync(settings.Environment(redis.Configuration), context, async environment =>
        {
            using var http = StreamHttpClient.Create(settings.Clients);
            foreach (var address in environment.ReplicaAddresses)
            {
                await WaitUntilServingAsync(new SseStreamClient(http, time, headers: Bearer(settings.ReadinessSecret)), settings.StreamUrl(address), time, cancellationToken);
            }

            var backendRequestsBefore = environment.Backends.Sum(b => b.Emulator.RequestCount);
            var tally = new LoadTally();
            var meter = new LoadMeter(time, run.Duration + run.DrainTimeout + TimeSpan.FromMinutes(1));
            var client = new SseStreamClient(http, time, meter, Bearer(settings.Secret));
            Uri[] urls = [.. environment.ReplicaAddresses.Select(settings.StreamUrl)];
            bool drained;
            await using (var progress = ProgressLine.Start(Name, meter, run.Duration, context.Output, context.Interactive, time))
            {
                await using var load = BurstLoad.Start(settings.Clients, settings.MaxRequests, n => urls[n % urls.Length], client, tally, time, cancellationToken);
                drained = await load.RunAsync(run.Duration, run.DrainTimeout);
            }

            cancellationToken.ThrowIfCancellationRequested();
            var streams = tally.Snapshot();
            var backendRequests = environment.Backends.Sum(b => b.Emulator.RequestCount) - backendRequestsBefore;
            var figures = BurstFigures.Of(streams, settings, backendRequests, environment.ReplicasExited, time);
            var result = preparation.Judge(figures.Metrics(), StreamStatistics.Timeline(streams, meter.StartedAt, TimeSpan.Zero, run.Duration, meter, time));
            var report = BurstReport.Build(figures, environment.ReplicaAddresses, redis.Version, drained, context, result);
            return new ScenarioReport(report, result, redis.RecentOutput());
        }, cancellationToken);
    }

    private static Dictionary<string, string> Bearer(string secret) => new() { ["Authorization"] = "Bearer " + secret };

    /// <summary>
    /// One stream at a time with the readiness key until one ends with <c>done</c>, before the burst: the replica
    /// listens, reaches Redis (failing closed, it answers 503 until it does) and a GPU. The key under test is untouched.
    /// </summary>
    private static async Task WaitUntilServingAsync(SseStreamClient client, Uri url, TimeProvider time, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        for (var tries = 1; ; tries++)
        {
            var outcome = await client.RunAsync(url, cancellationToken);
            if (outcome.Succeeded)
            {
                return;
            }

            if (time.GetElapsedTime(started) >= ReadyTimeout)
            {
                throw new EnvironmentException($"The proxy at {url.GetLeftPart(UriPartial.Authority)} served no stream within " +
                    $"{DurationFormat.Format(ReadyTimeout)} of listening; the last of {tries} tries ended with {outcome.OutcomeText}.");
            }

            await Task.Delay(ClosedLoopLoad.FailurePause, time, cancellationToken);
        }
    }
}
