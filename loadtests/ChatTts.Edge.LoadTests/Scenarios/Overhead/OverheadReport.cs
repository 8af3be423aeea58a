using System.Globalization;
using ChatTts.Edge.LoadTests.CommandLine;
using ChatTts.Edge.LoadTests.Environment;
using ChatTts.Edge.LoadTests.Metrics;
using ChatTts.Edge.LoadTests.Reporting;
using ChatTts.Edge.LoadTests.Scenarios.Streams;

namespace ChatTts.Edge.LoadTests.Scenarios.Overhead;

/// <summary>Lays out the overhead run: what each path is and how its time to first audio is taken, the figures by
/// path and by turn, the hey cross-check, the proxies' costs and the thresholds.</summary>
internal static class OverheadReport
{
    /// <summary>The others' share of the machine above which a turn's figures are called into doubt.</summary>
    private const double QuietLimit = 0.10;

    public static Report Build(OverheadSettings settings, OverheadMeasurement measurement, ScenarioContext context, ScenarioResult result, long? files)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(measurement);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(result);
        var metrics = result.Metrics;
        var turn = settings.Turn(context.Run);
        var report = new Report($"Load test: {OverheadSettings.Name}")
            .AddFact("Command", context.Command, code: true)
            .AddFact("Date", MachineFacts.Date(context.Time))
            .AddFact("Machine", MachineFacts.Describe() + "; the load generator, the emulated backend, the edge and nginx all share it")
            .AddFact("Load", string.Create(CultureInfo.InvariantCulture, $"closed model on every path: {settings.Clients} clients streaming back to back (first streams spread over " +
                $"{DurationFormat.Format(OverheadSettings.Ramp(turn.Warmup))}), request n saying \"{StreamProfile.ShortText} Stream k.\" with k = n mod {OverheadSettings.DistinctTexts} " +
                $"({settings.Stream.TextOf(10).Length} characters, {AudioSeconds(measurement):0.0} s of audio on average): the emulator synthesises " +
                $"each text once and serves it from its cache afterwards, so its own CPU does not crowd the shared machine"))
            .AddFact("Backend", string.Create(CultureInfo.InvariantCulture, $"one in-process emulator, dialect {OverheadSettings.Dialect}, synthetic voice, first audio after " +
                $"{DurationFormat.Format(settings.FirstChunkDelay)}, then RTF {settings.RealTimeFactor:0.###}, steps of {OverheadSettings.StepSamples} samples " +
                $"({OverheadSettings.ChunkMs} ms), {Math.Max(settings.Clients, OverheadSettings.DistinctTexts)} syntheses at once"))
            .AddFact("direct", OverheadPath.Direct.What)
            .AddFact("edge", string.Create(CultureInfo.InvariantCulture, $"{OverheadPath.Edge.What}: dotnet ChatTts.Edge.Proxy.dll (Production, warnings-only logging, MaxConcurrency " +
                $"{settings.Clients}, admission queue {settings.Clients}, anonymous plan without effective limits), chunk_ms={OverheadSettings.ChunkMs}"))
            .AddFact("nginx", $"{OverheadPath.Nginx.What}; {NginxProcess.Executable} (Debian's package), one worker")
            .AddFact("Schedule", string.Create(CultureInfo.InvariantCulture, $"{settings.Rounds} round(s), the paths in turn, forward then backward (direct → edge → nginx, nginx → edge → direct, …): " +
                $"over two rounds every path sits at the same mean position in the run, so load on the shared machine that rises or falls during the run " +
                $"weighs on all three alike. Each turn: {DurationFormat.Format(turn.Duration)} of load, streams started in its first " +
                $"{DurationFormat.Format(turn.Warmup)} left out, then the streams under way finish (drain timeout {DurationFormat.Format(turn.DrainTimeout)}). " +
                $"Per path: {DurationFormat.Format(context.Run.Duration)} of load, {DurationFormat.Format(context.Run.Window)} measured"))
            .AddFact("Priming", string.Create(CultureInfo.InvariantCulture, $"before the first round every path is loaded the same way for " +
                $"{DurationFormat.Format(settings.Priming(context.Run))} per priming round, unmeasured: the backend, the clients, the edge and nginx start cold, and the shared " +
                $"backend would otherwise be warmed at the cost of whichever path came first; before that, the backend is asked for every text once. " +
                $"Priming rounds repeat until the .NET tiered JIT (of the edge and of the runner's clients) used at most " +
                $"{OverheadMeasurement.WarmJitShare * 100:0} % of a core in the second half of every path's turn, at most {OverheadMeasurement.MaxPrimings} rounds: " +
                $"{measurement.Primings} ran. A cold edge's JIT takes a core's worth of CPU for tens of seconds, a cost of its start, not of its events"))
            .AddFact("TTFA, direct and nginx", "from sending the request to the first PCM byte after the 44-byte WAV header; the body is read to its end " +
                "and must start with the streaming header (sizes 0xFFFFFFFF, PCM 24 kHz mono 16-bit) and hold whole samples")
            .AddFact("TTFA, edge", string.Create(CultureInfo.InvariantCulture, $"from sending the request to the first `audio` event, parsed and its WAV decoded and checked. The edge sends " +
                $"an event once it holds chunk_ms of audio; chunk_ms={OverheadSettings.ChunkMs} is exactly the emulator's first step, which the emulator " +
                $"writes (and flushes) right after the header, so the edge can emit as soon as that step has arrived and waits for nothing the raw clients " +
                $"do not get at the same moment. \"first step\" below is when the raw clients had those same {OverheadSettings.StepBytes} bytes"))
            .AddFact("Added latency", "a proxy's TTFA percentile minus direct's (edge.added_ttfa.p99 = edge.ttfa.p99 − direct.ttfa.p99), as the issue " +
                "asks: a difference of percentiles of unpaired requests, not a percentile of per-request differences. It holds all a proxy costs on " +
                "this machine: its own work, the extra hop, and the CPU it takes from the load generator and backend (see CPU)")
            .AddFact("CPU", "the share of all the machine's cores used in a path's windows by this run (the runner with its emulated backend, " +
                "the edge, nginx) and by every other process (another engineer's build or test on a shared machine), from the processes' own CPU " +
                "times: where the others' share is high, the figures are the machine's rather than the path's")
            .AddFact("Quiet machine", QuietMachine(measurement))
            .AddFact("Raw requests", $"voice \"{OverheadSettings.Voice}\": what the edge asks a {OverheadSettings.Dialect} backend for when the client names " +
                "no voice (that server knows default, alloy and echo only), so all three paths ask the backend the same")
            .AddFact("Percentiles", "nearest rank over every sample of the windows (no averaging); hey's are its own (the first sorted sample at " +
                "or past the rank; its p99 needs 100 requests or more)");
        if (files is { } limit)
        {
            report.AddFact("Open-file limit", limit.ToString(CultureInfo.InvariantCulture));
        }

        report
            .AddSection("Time to first audio by path (streams started after each turn's warm-up)", ByPath(metrics))
            .AddSection("More by path", MoreByPath(metrics))
            .AddSection("By turn (in run order)", ByTurn(measurement))
            .AddSection("Cross-check with hey", CrossCheck(measurement, metrics))
            .AddSection("Edge and proxies", Costs(metrics))
            .AddFailures(OverheadPath.All.SelectMany(p => measurement.InWindow(p).Where(s => !s.Succeeded).Select(s => $"{p.Name}: {s.AudioProblem ?? s.OutcomeText}"))
                .GroupBy(reason => reason).Select(g => (g.Key, g.Count())));
        return report.AddThresholds(result);
    }

    /// <summary>Whether other processes left the machine to this run, and where they did not.</summary>
    private static string QuietMachine(OverheadMeasurement measurement)
    {
        var busy = measurement.Turns.Where(t => t.OthersCpu > QuietLimit)
            .Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Round + 1}. {t.Path.Name} ({t.OthersCpu * 100:0}%)")).ToList();
        return busy.Count == 0
            ? string.Create(CultureInfo.InvariantCulture, $"yes: other processes used at most {QuietLimit * 100:0}% of the machine in every turn")
            : $"NO: other processes used much of the machine in turn(s) {string.Join(", ", busy)}; those figures are the machine's as much as " +
              "the path's: run again on a quiet machine before drawing conclusions from them";
    }

    /// <summary>The mean audio of a successful stream, in seconds (NaN without one).</summary>
    private static double AudioSeconds(OverheadMeasurement measurement) =>
        OverheadPath.All.SelectMany(measurement.InWindow).Where(s => s.Succeeded).Select(s => s.AudioSeconds).DefaultIfEmpty(double.NaN).Average();

    private static TextTable ByPath(MetricSet metrics)
    {
        var table = new TextTable("path", "p50", "p90", "p99", "max", "added p50", "added p99", "streams", "failed");
        foreach (var path in OverheadPath.All)
        {
            var p = path.Name;
            table.Add(p, Ms(metrics, $"{p}.ttfa.p50"), Ms(metrics, $"{p}.ttfa.p90"), Ms(metrics, $"{p}.ttfa.p99"), Ms(metrics, $"{p}.ttfa.max"),
                path == OverheadPath.Direct ? "–" : Ms(metrics, $"{p}.added_ttfa.p50"), path == OverheadPath.Direct ? "–" : Ms(metrics, $"{p}.added_ttfa.p99"),
                Value(metrics, $"{p}.streams"), Value(metrics, $"{p}.failed"));
        }

        return table.Add("edge − nginx", "", "", "", "", Ms(metrics, "edge_minus_nginx.added_ttfa.p50"), Ms(metrics, "edge_minus_nginx.added_ttfa.p99"), "", "");
    }

    private static TextTable MoreByPath(MetricSet metrics)
    {
        var table = new TextTable("path", "first step p50", "first step p99", "whole stream p50", "whole stream p99", "streams/s", "CPU: this run", "CPU: others");
        foreach (var p in OverheadPath.All.Select(p => p.Name))
        {
            table.Add(p, metrics.Find($"{p}.first_step.p50") is null ? "(= TTFA)" : Ms(metrics, $"{p}.first_step.p50"),
                metrics.Find($"{p}.first_step.p99") is null ? "(= TTFA)" : Ms(metrics, $"{p}.first_step.p99"),
                Ms(metrics, $"{p}.total.p50"), Ms(metrics, $"{p}.total.p99"), Value(metrics, $"{p}.streams_per_second"), Percent(metrics.Find($"{p}.run_cpu_percent")!.Value),
                Percent(metrics.Find($"{p}.others_cpu_percent")!.Value));
        }

        return table;
    }

    private static TextTable ByTurn(OverheadMeasurement measurement)
    {
        var table = new TextTable("turn", "TTFA p50", "TTFA p99", "streams", "failed", "CPU: this run", "CPU: others", "drained");
        foreach (var t in measurement.Turns)
        {
            var ttfa = t.InWindow.Where(s => s.FirstAudio is not null).Select(s => s.FirstAudio!.Value).ToList();
            table.Add(string.Create(CultureInfo.InvariantCulture, $"{t.Round + 1}. {t.Path.Name}"), Figures.Milliseconds(Figures.Percentile(ttfa, 50), "0.0"), Figures.Milliseconds(Figures.Percentile(ttfa, 99), "0.0"),
                Figures.Count(t.InWindow.Count), Figures.Count(t.InWindow.Count(s => !s.Succeeded)), Percent(t.RunCpu * 100), Percent(t.OthersCpu * 100), t.Drained ? "yes" : "no");
        }

        return table;
    }

    private static TextTable CrossCheck(OverheadMeasurement measurement, MetricSet metrics)
    {
        var table = new TextTable("tool", "what", "requests", "at once", "p50", "p99");
        if (measurement.Hey is { } hey)
        {
            table.Add("hey", $"GET {hey.Url.AbsolutePath}?text=…&chunk_ms={OverheadSettings.ChunkMs} through the edge after the rounds, each SSE response read to its end",
                Figures.Count(hey.Result.Requests), Figures.Count(hey.Concurrency), Ms(metrics, "hey.total.p50"), Ms(metrics, "hey.total.p99"));
        }

        table.Add("this runner", "the edge turns' whole streams (request sent → done event)", Value(metrics, "edge.streams_ok"),
            Figures.Count(measurement.TurnsOf(OverheadPath.Edge).Select(t => t.PeakInFlight).DefaultIfEmpty(0).Max()),
            Ms(metrics, "edge.total.p50"), Ms(metrics, "edge.total.p99"));
        return table.Add("ratio", "hey p50 ÷ this runner's p50 (crosscheck.total_p50_ratio)", "", "", Value(metrics, "crosscheck.total_p50_ratio"), "");
    }

    private static TextTable Costs(MetricSet metrics)
    {
        var table = new TextTable("metric", "value", "what it is");
        foreach (var name in (string[])["edge.gap.p50", "edge.gap.p99", "edge.events_per_second", "edge.megabytes_per_second", "direct.megabytes_per_second",
            "proxy_cpu_percent", "proxy_cpu_us_per_event", "proxy_cpu_ms_per_stream", "proxy_rss_peak_mb", "others_cpu_percent_max", "hey.requests_per_second", "hung", "proxy_exited", "nginx_exited"])
        {
            var metric = metrics.Find(name)!;
            table.Add(name, MetricFormat.Value(metric.Value, metric.Unit), metric.Description);
        }

        return table;
    }

    private static string Ms(MetricSet metrics, string name) => MetricFormat.Value(metrics.Find(name)!.Value, MetricUnit.Milliseconds);

    private static string Value(MetricSet metrics, string name) => metrics.Find(name) is { } m ? MetricFormat.Value(m.Value, m.Unit) : "–";

    private static string Percent(double value) => double.IsNaN(value) ? "–" : string.Create(CultureInfo.InvariantCulture, $"{value:0}%");
}
