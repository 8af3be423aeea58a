using System.Globalization;
using ChatTts.Edge.LoadTests.CommandLine;
using ChatTts.Edge.LoadTests.Load;
using ChatTts.Edge.LoadTests.Metrics;
using ChatTts.Edge.LoadTests.Reporting;

namespace ChatTts.Edge.LoadTests.Scenarios.Repeats;

/// <summary>The repeats scenario's figures: first audio of cached and synthesized streams, the GPU time saved, the loopback first audio.</summary>
internal sealed class RepeatsFigures(RepeatsSettings settings, RepeatsWorkload mixed, IReadOnlyList<StreamOutcome> loopback)
{
    private static readonly string[] Percentiles = ["p50", "p99", "max"];

    public static IReadOnlyList<string> MetricNames { get; } =
    [
        "failed", "repeats", "cached", "cached_share_of_repeats", "syntheses", "gpu_seconds.used", "gpu_seconds.saved",
        "gpu_seconds.saved_measured", "gpu_seconds.saved_ratio",
        .. new[] { "ttfa.cached", "ttfa.synthesized", "loopback.ttfa.cached" }.SelectMany(n => Percentiles.Select(p => $"{n}.{p}")),
    ];

    public MetricSet Metrics()
    {
        var metrics = new MetricSet();
        var all = mixed.Streams.Select(s => s.Outcome).Concat(loopback).ToList();
        var cached = mixed.Streams.Where(s => s.Outcome.Succeeded && s.Outcome.Cached).Select(s => s.Outcome).ToList();
        var synthesized = mixed.Streams.Where(s => s.Outcome.Succeeded && !s.Outcome.Cached).Select(s => s.Outcome).ToList();
        var repeats = mixed.Streams.Count(s => s.Repeat);
        metrics.Add("failed", all.Count(s => !s.Succeeded), MetricUnit.Count, MetricDirection.LowerIsBetter, "streams that did not end with done and valid audio");
        metrics.Add("repeats", repeats, MetricUnit.Count, MetricDirection.HigherIsBetter, "requests of the mixed workload that repeated an earlier one");
        metrics.Add("cached", cached.Count, MetricUnit.Count, MetricDirection.HigherIsBetter, "streams of the mixed workload served from the cache (done.cached)");
        metrics.Add("cached_share_of_repeats", repeats == 0 ? double.NaN : (double)cached.Count / repeats, MetricUnit.Ratio, MetricDirection.HigherIsBetter,
            "cached streams ÷ repeats: 1 when every repeat was served from the cache");
        metrics.Add("syntheses", mixed.Syntheses, MetricUnit.Count, MetricDirection.LowerIsBetter, "synthesis requests the emulated GPUs received");
        metrics.Add("gpu_seconds.used", mixed.GpuSeconds, MetricUnit.Seconds, MetricDirection.LowerIsBetter, "the emulated GPUs' busy time during the workload");
        var saved = cached.Sum(s => settings.FirstAudio.TotalSeconds + (s.AudioSeconds * settings.RealTimeFactor));
        metrics.Add("gpu_seconds.saved", saved, MetricUnit.Seconds, MetricDirection.HigherIsBetter,
            "GPU time the cached streams did not take: per stream, the first-audio delay + its audio seconds × RTF");
        var perSynthesis = mixed.Syntheses == 0 ? double.NaN : mixed.GpuSeconds / mixed.Syntheses;
        metrics.Add("gpu_seconds.saved_measured", cached.Count * perSynthesis, MetricUnit.Seconds, MetricDirection.HigherIsBetter,
            "cached streams × the GPUs' measured busy time per synthesis");
        metrics.Add("gpu_seconds.saved_ratio", saved / (saved + mixed.GpuSeconds), MetricUnit.Ratio, MetricDirection.HigherIsBetter,
            "GPU time saved ÷ the GPU time the workload would have taken without the cache");
        StreamStatistics.AddDistribution(metrics, "ttfa.cached", FirstAudio(cached), "a cached stream's first audio came within, under load", Percentiles);
        StreamStatistics.AddDistribution(metrics, "ttfa.synthesized", FirstAudio(synthesized), "a synthesized stream's first audio came within, under load", Percentiles);
        StreamStatistics.AddDistribution(metrics, "loopback.ttfa.cached", FirstAudio(loopback.Where(s => s.Succeeded && s.Cached)),
            "a cached stream's first audio came within, one stream at a time on loopback", Percentiles);
        return metrics;
    }

    public Report Report(ScenarioContext context, ScenarioResult result)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(result);
        var table = new TextTable("streams", "count", "first audio p50", "first audio p99", "first audio max", "audio per stream (median)");
        Row(table, "mixed: synthesized", mixed.Streams.Where(s => s.Outcome.Succeeded && !s.Outcome.Cached).Select(s => s.Outcome).ToList());
        Row(table, "mixed: cached", mixed.Streams.Where(s => s.Outcome.Succeeded && s.Outcome.Cached).Select(s => s.Outcome).ToList());
        Row(table, "loopback: cached", loopback.Where(s => s.Succeeded && s.Cached).ToList());
        var figures = new TextTable("metric", "value", "what it is");
        foreach (var metric in result.Metrics.All)
        {
            figures.Add(metric.Name, MetricFormat.Value(metric.Value, metric.Unit), metric.Description);
        }

        return new Report("Load test: repeats")
            .AddFact("Command", context.Command, code: true)
            .AddFact("Date", MachineFacts.Date(context.Time))
            .AddFact("Machine", MachineFacts.Describe())
            .AddFact("Load", string.Create(CultureInfo.InvariantCulture,
                $"{settings.Requests} seeded streams (GET /v1/tts/stream?chunk_ms={settings.ChunkMs}&seed=…), {settings.Clients} clients in a closed loop; " +
                $"{settings.RepeatShare:P0} of them (at random places after the first two rounds) repeat one chosen at random among the earlier new ones that ended done (random seed {RepeatsSettings.WorkloadSeed}); " +
                $"then {RepeatsSettings.LoopbackDistinct} distinct requests synthesized and {settings.LoopbackStreams} repeats of them, one stream at a time"))
            .AddFact("System under test", string.Create(CultureInfo.InvariantCulture,
                $"dotnet ChatTts.Edge.Proxy.dll with the default Edge:Cache (memory store unless the run has a Redis), in front of {settings.Gpus} in-process emulators " +
                $"({RepeatsSettings.Dialect}, synthetic voice, one synthesis at a time, first audio after {DurationFormat.Format(settings.FirstAudio)}, real-time factor {settings.RealTimeFactor}); " +
                $"the loopback phase: a new proxy in front of one instant emulator (no first-audio delay, RTF 0)"))
            .AddFact("Times", "first audio: from sending the request to the first audio event, as the client reads it")
            .AddSection("Streams", table)
            .AddSection("Figures", figures)
            .AddThresholds(result);
    }

    private static void Row(TextTable table, string name, List<StreamOutcome> streams)
    {
        var sorted = FirstAudio(streams).Order().ToList();
        var audio = streams.Select(s => s.AudioSeconds).Order().ToList();
        table.Add(name, Figures.Count(streams.Count), Figures.Milliseconds(Figures.PercentileOfSorted(sorted, 50), "0.0"),
            Figures.Milliseconds(Figures.PercentileOfSorted(sorted, 99), "0.0"), Figures.Milliseconds(Figures.PercentileOfSorted(sorted, 100), "0.0"),
            audio.Count == 0 ? "–" : string.Create(CultureInfo.InvariantCulture, $"{audio[audio.Count / 2]:0.0} s"));
    }

    private static List<TimeSpan> FirstAudio(IEnumerable<StreamOutcome> streams) =>
        streams.Where(s => s.FirstAudio is not null).Select(s => s.FirstAudio!.Value).ToList();
}
