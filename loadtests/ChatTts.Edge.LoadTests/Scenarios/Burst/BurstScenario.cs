using ChatTts.Edge.LoadTests.CommandLine;
using ChatTts.Edge.LoadTests.Environment;
using ChatTts.Edge.LoadTests.Load;
using ChatTts.Edge.LoadTests.Metrics;
using ChatTts.Edge.LoadTests.Reporting;

namespace ChatTts.Edge.LoadTests.Scenarios.Burst;

/// <summary>
/// Quota enforcement under load: many clients fire requests with one API key as fast as they are answered, at two
/// proxy replicas that keep the key's GCRA state in one real <c>redis-server</c>. The requests admitted must match
/// the plan (Burst at once, then one per emission interval) within one, every other request must be a 429 with
/// <c>Retry-After</c>, and the admitted streams must carry valid audio.
/// </summary>
internal sealed class BurstScenario : IScenario
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);

    public string Name => "burst";

    public string Summary => "quota enforcement under load: the count of 429s matches the plan (GCRA in Redis, shared by two proxy replicas)";

    public IReadOnlyList<OptionHelp> Options => BurstSettings.Options;

    public RunDefaults Defaults => BurstSettings.Defaults;

    public async Task<ScenarioResult> RunAsync(CommandLineArguments arguments, ScenarioContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(context);
        var settings = BurstSettings.Read(arguments);
        arguments.ThrowIfUnread();
        if (context.Run.Warmup > TimeSpan.Zero)
        {
            throw new UsageException("burst has no warm-up: the burst is the start of the run, and every request counts.");
        }

        var limits = ThresholdSet.Read(Name, settings.Thresholds);
        ThresholdSet.Validate(limits, BurstFigures.MetricNames(settings));
        FileLimits.Raise(4L * settings.Clients + 4096);

        var time = context.Time;
        var run = context.Run;
        await context.Output.WriteLineAsync($"{Name}: starting redis-server, {settings.Backends} emulated GPUs and {settings.Replicas} proxy replica(s); " +
            $"{BurstReport.LoadText(settings)}, for {DurationFormat.Format(run.Duration)} …");
        await using var redis = await RedisProcess.StartAsync(time, cancellationToken);
        await using var environment = await LocalEnvironment.StartAsync(settings.Environment(redis.Configuration), time, cancellationToken);
        return await environment.RunAsync(async () =>
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
            var metrics = figures.Metrics();
            var result = new ScenarioResult(ScenarioResult.From(ThresholdSet.Judge(limits, metrics)))
            {
                Metrics = metrics,
                Timeline = StreamStatistics.Timeline(streams, meter.StartedAt, TimeSpan.Zero, run.Duration, meter, time),
            };
            var report = BurstReport.Build(figures, environment.ReplicaAddresses, redis.Version, drained, context, result);
            await context.PublishAsync(Name, report, result);
            if (!result.Passed)
            {
                await context.Error.WriteAsync(redis.RecentOutput());
            }

            return result;
        }, context.Error, cancellationToken);
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
