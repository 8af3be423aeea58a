using System.Globalization;
using ChatTts.Edge.LoadTests.CommandLine;
using ChatTts.Edge.LoadTests.Load;
using ChatTts.Edge.LoadTests.Metrics;
using ChatTts.Edge.LoadTests.Reporting;

namespace ChatTts.Edge.LoadTests.Scenarios.Streams;

/// <summary>Lays out a stream run as a report: what ran, the latency table, outcomes, throughput, thresholds.</summary>
internal static class StreamReport
{
    public static string LoadText(StreamSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var p = settings.Profile;
        return p.IsOpenModel
            ? string.Create(CultureInfo.InvariantCulture, $"open model, arrivals ramping from {p.StartRate:0.##}/s to {p.Rate:0.##}/s over {DurationFormat.Format(p.Ramp)}, at most {p.MaxInFlight} streams at once")
            : string.Create(CultureInfo.InvariantCulture, $"closed model, {p.Clients} clients streaming back to back (started over {DurationFormat.Format(p.Ramp)})");
    }

    public static Report Build(string scenario, StreamSettings settings, StreamRunResult run, ScenarioContext context, ScenarioResult result, long? files)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(result);
        var p = settings.Profile;
        var report = new Report($"Load test: {scenario}")
            .AddFact("Command", context.Command, code: true)
            .AddFact("Date", MachineFacts.Date(context.Time))
            .AddFact("Machine", MachineFacts.Describe())
            .AddFact("Load", $"{LoadText(settings)}; each GET /v1/tts/stream?text=…&chunk_ms={p.ChunkMs} ({settings.TextOf(0).Length} characters)")
            .AddFact("System under test", settings.Target is { } target ? target.AbsoluteUri
                : $"dotnet ChatTts.Edge.Proxy.dll (Production, warnings-only logging) in front of {p.Backends} in-process emulators, dialect " +
                  $"{StreamSettings.Dialect}, synthetic voice, RTF {Figures.Number(p.RealTimeFactor, "0.###")}, first audio after " +
                  $"{DurationFormat.Format(p.FirstChunkDelay)}, {p.BackendConcurrency} streams at once each (the proxy's MaxConcurrency too)")
            .AddFact("Timing", $"duration {DurationFormat.Format(context.Run.Duration)}, warm-up {DurationFormat.Format(context.Run.Warmup)} " +
                $"(streams started in it are left out of every figure), drain timeout {DurationFormat.Format(context.Run.DrainTimeout)}, " +
                $"drained in time: {(run.Drained ? "yes" : "no")}")
            .AddFact("Percentiles", "nearest rank over every sample of the window (no averaging); audio checked chunk by chunk " +
                "(WAV header, sizes, seq, done's totals)");
        if (p.HoldOpen)
        {
            report.AddFact("Held open", "the streams outlast the run: at its end they are closed at once; one whose last audio came within " +
                $"{DurationFormat.Format(StreamProfile.StallAfter)} counts as done, one that had gone quiet as hung; figures cover every stream");
        }

        if (p.Http2)
        {
            report.AddFact("Protocol", "HTTP/2 over cleartext (prior knowledge) from the clients to a second proxy endpoint, up to 1,000 streams per " +
                "connection; HTTP/1.1 from the proxy to the backends (one connection per stream)");
        }

        if (files is { } limit)
        {
            report.AddFact("Open-file limit", limit.ToString(CultureInfo.InvariantCulture));
        }

        var latency = new TextTable(["time", .. StreamStatistics.Percentiles, "samples"]);
        var samples = new Dictionary<string, int>
        {
            ["ttfa"] = run.InWindow.Count(s => s.FirstAudio is not null),
            ["total"] = run.InWindow.Count(s => s.Succeeded),
            ["gap"] = run.InWindow.Sum(s => s.Gaps.Count),
        };
        foreach (var (name, label) in new[] { ("ttfa", "first audio (TTFA)"), ("total", "whole stream"), ("gap", "between audio events") })
        {
            latency.Add([label, .. StreamStatistics.Percentiles.Select(q => MetricFormat.Value(run.Metrics.Find($"{name}.{q}")!.Value, MetricUnit.Milliseconds)),
                Figures.Count(samples[name])]);
        }

        var shown = new HashSet<string>(StringComparer.Ordinal);
        foreach (var name in new[] { "ttfa", "total", "gap" })
        {
            foreach (var q in StreamStatistics.Percentiles)
            {
                shown.Add($"{name}.{q}");
            }
        }

        var figures = new TextTable("metric", "value", "what it is");
        foreach (var metric in run.Metrics.All.Where(m => !shown.Contains(m.Name)))
        {
            figures.Add(metric.Name, MetricFormat.Value(metric.Value, metric.Unit), metric.Description);
        }

        report.AddSection("Latency (streams started after the warm-up)", latency)
            .AddSection("Figures", figures)
            .AddFailures(run.InWindow.Where(s => !s.Succeeded).GroupBy(s => s.AudioProblem ?? s.OutcomeText).Select(g => (g.Key, g.Count())));
        return report.AddThresholds(result);
    }
}
