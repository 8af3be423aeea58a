using ChatTts.Edge.LoadTests.CommandLine;
using ChatTts.Edge.LoadTests.Environment;
using ChatTts.Edge.LoadTests.Load;
using ChatTts.Edge.LoadTests.Metrics;

namespace ChatTts.Edge.LoadTests.Scenarios.Repeats;

/// <summary>
/// The replay cache under a realistic workload: a closed loop of clients in front of emulated GPUs at a realistic pace,
/// where a share of the requests repeats an earlier seeded request that has ended (a greeting, a menu item). Cached and
/// synthesized streams' first audio, and the GPU time the repeats did not take. Then the edge's own time to first audio
/// of a cached stream, one stream at a time on loopback with instant emulators.
/// </summary>
internal sealed class RepeatsScenario : Scenario<RepeatsSettings>
{
    public override string Name => "repeats";

    public override string Summary => "a workload where 30 % of requests repeat an earlier seeded one: first audio of cached vs synthesized streams, GPU-seconds saved";

    public override IReadOnlyList<OptionHelp> Options => RepeatsSettings.Options;

    public override RunDefaults Defaults => RepeatsSettings.Defaults;

    protected override RepeatsSettings Read(CommandLineArguments arguments) => RepeatsSettings.Read(arguments);

    protected override Preparation Prepare(RepeatsSettings settings, RunSettings run)
    {
        var limits = ThresholdSet.Read(Name, settings.Thresholds);
        ThresholdSet.Validate(limits, RepeatsFigures.MetricNames);
        return new Preparation(limits, null);
    }

    protected override string StartLine(RepeatsSettings settings, RunSettings run) =>
        $"{Name}: {settings.Requests} seeded streams from {settings.Clients} clients, {settings.RepeatShare:P0} repeats, on {settings.Gpus} emulated GPU(s) " +
        $"(first audio {DurationFormat.Format(settings.FirstAudio)}, RTF {settings.RealTimeFactor}); then {settings.LoopbackStreams} cached streams on loopback …";

    protected override async Task<ScenarioResult> RunAsync(RepeatsSettings settings, Preparation preparation, ScenarioContext context, CancellationToken cancellationToken)
    {
        RepeatsWorkload mixed;
        await using (var paced = await LocalEnvironment.StartAsync(settings.Paced().WithProxySettings(context.Run.ProxySettings), context.Time, cancellationToken))
        {
            mixed = await RunMixedAsync(settings, paced, context, cancellationToken);
        }

        IReadOnlyList<StreamOutcome> loopback;
        await using (var instant = await LocalEnvironment.StartAsync(RepeatsSettings.Instant().WithProxySettings(context.Run.ProxySettings), context.Time, cancellationToken))
        {
            loopback = await RunLoopbackAsync(settings, instant, context, cancellationToken);
        }

        var figures = new RepeatsFigures(settings, mixed, loopback);
        var result = preparation.Judge(figures.Metrics(), timeline: null);
        return await PublishAsync(new ScenarioReport(figures.Report(context, result), result), context);
    }

    /// <summary>
    /// The closed loop: the repeat share of the requests (at random places, after the first two rounds of clients) repeat
    /// one chosen at random among the earlier new ones that have ended; the others are new.
    /// </summary>
    private static async Task<RepeatsWorkload> RunMixedAsync(RepeatsSettings settings, LocalEnvironment environment, ScenarioContext context, CancellationToken cancellationToken)
    {
        using var http = StreamHttpClient.Create(settings.Clients);
        var client = new SseStreamClient(http, context.Time);
        var random = new Random(RepeatsSettings.WorkloadSeed);
        var repeatAt = RepeatPlaces(settings, random);
        var ended = new List<long>();
        var streams = new List<(StreamOutcome Outcome, bool Repeat)>();
        var gate = new Lock();
        var next = 0L;
        var busyBefore = environment.Backends.Sum(b => b.Emulator.BusyTime.TotalSeconds);
        var synthesesBefore = environment.Backends.Sum(b => b.Emulator.RequestCount);

        async Task ClientAsync()
        {
            while (true)
            {
                long number;
                bool repeat;
                lock (gate)
                {
                    if (next >= settings.Requests)
                    {
                        return;
                    }

                    var own = next++;
                    repeat = ended.Count > 0 && repeatAt.Contains(own);
                    number = repeat ? ended[random.Next(ended.Count)] : own;
                }

                var outcome = await client.RunAsync(settings.StreamUrl(environment.ProxyAddress, number), cancellationToken);
                lock (gate)
                {
                    streams.Add((outcome, repeat));
                    if (outcome.Succeeded && !repeat)
                    {
                        ended.Add(number);
                    }
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, settings.Clients).Select(_ => ClientAsync()));
        var busy = environment.Backends.Sum(b => b.Emulator.BusyTime.TotalSeconds) - busyBefore;
        var syntheses = environment.Backends.Sum(b => b.Emulator.RequestCount) - synthesesBefore;
        await context.Output.WriteLineAsync($"  mixed: {streams.Count} streams, {streams.Count(s => s.Outcome.Cached)} cached, {syntheses} syntheses, {busy:0.0} GPU-seconds");
        return new RepeatsWorkload(streams, busy, syntheses);
    }

    /// <summary>Which requests repeat: the repeat share of all, at random places among those after the first two rounds.</summary>
    private static HashSet<long> RepeatPlaces(RepeatsSettings settings, Random random)
    {
        var places = Enumerable.Range(0, settings.Requests).Skip(Math.Min(2 * settings.Clients, settings.Requests)).Select(n => (long)n).ToArray();
        random.Shuffle(places);
        return [.. places.Take((int)Math.Round(settings.RepeatShare * settings.Requests))];
    }

    /// <summary>A few distinct requests synthesized once, then repeated in turn, one stream at a time.</summary>
    private static async Task<IReadOnlyList<StreamOutcome>> RunLoopbackAsync(RepeatsSettings settings, LocalEnvironment environment, ScenarioContext context, CancellationToken cancellationToken)
    {
        using var http = StreamHttpClient.Create(1);
        var client = new SseStreamClient(http, context.Time);
        for (var number = 0; number < RepeatsSettings.LoopbackDistinct; number++)
        {
            await client.RunAsync(settings.StreamUrl(environment.ProxyAddress, number), cancellationToken);
        }

        var streams = new List<StreamOutcome>(settings.LoopbackStreams);
        for (var i = 0; i < settings.LoopbackStreams; i++)
        {
            streams.Add(await client.RunAsync(settings.StreamUrl(environment.ProxyAddress, i % RepeatsSettings.LoopbackDistinct), cancellationToken));
        }

        await context.Output.WriteLineAsync($"  loopback: {streams.Count} streams, {streams.Count(s => s.Cached)} cached");
        return streams;
    }
}

/// <summary>What the mixed workload did: each stream (and whether it was a repeat), and the GPUs' own counters.</summary>
/// <param name="GpuSeconds">The emulated GPUs' busy time during the workload, in seconds.</param>
/// <param name="Syntheses">Synthesis requests the emulated GPUs received during the workload.</param>
internal sealed record RepeatsWorkload(IReadOnlyList<(StreamOutcome Outcome, bool Repeat)> Streams, double GpuSeconds, int Syntheses);
