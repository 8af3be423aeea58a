using System.Globalization;
using ChatTts.Edge.LoadTests.CommandLine;
using ChatTts.Edge.LoadTests.Load;
using ChatTts.Edge.LoadTests.Reporting;

namespace ChatTts.Edge.LoadTests.Scenarios.Quotas;

/// <summary>Judges the thresholds and lays out the figures as a report.</summary>
internal static class QuotasReport
{
    public static ScenarioResult Judge(QuotasFigures figures, QuotasSettings settings)
    {
        ArgumentNullException.ThrowIfNull(figures);
        ArgumentNullException.ThrowIfNull(settings);
        var (off, on) = (figures.Off, figures.On);
        var p99 = Figures.Percentile(on.QuotaChecks, 99);
        var exited = figures.Runs.Where(r => r.ProxyExited).Select(Label).ToList();
        return new ScenarioResult(
        [
            new($"quota check p99 with Redis ≤ {Figures.Milliseconds(settings.MaxQuotaP99, "0.###")}",
                $"{Figures.Milliseconds(p99, "0.000")} ({Figures.Count(on.QuotaChecks.Count)} samples)", p99 is { } v && v <= settings.MaxQuotaP99),
            new($"streams/s with Redis quotas ÷ without ≥ {Figures.Ratio(settings.MinThroughputRatio)}",
                $"{Figures.Ratio(figures.ThroughputRatio)} ({Figures.Number(on.StreamsPerSecond)} ÷ {Figures.Number(off.StreamsPerSecond)})",
                figures.ThroughputRatio >= settings.MinThroughputRatio),
            new("no failed stream in either mode", $"off {Failed(off)}, on {Failed(on)}", off.Failed == 0 && on.Failed == 0),
            new("the proxy and redis-server run to the end",
                exited.Count > 0 ? $"the proxy exited in run {string.Join(", ", exited)}" : figures.RedisExited ? "redis-server exited" : "they did",
                exited.Count == 0 && !figures.RedisExited),
        ]);
    }

    public static Report Build(QuotasFigures figures, QuotasSettings settings, ScenarioContext context, ScenarioResult result)
    {
        ArgumentNullException.ThrowIfNull(figures);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(result);
        var run = context.Run;
        var report = new Report("Load test: what per-key quotas in Redis cost the proxy")
            .AddFact("Command", context.Command, code: true)
            .AddFact("Date", MachineFacts.Date(context.Time))
            .AddFact("Machine", MachineFacts.Describe() + "; load generator, emulators, proxy and Redis share it")
            .AddFact("Load", $"per run {settings.Clients} closed-loop clients, each streaming GET /v1/tts/stream " +
                (settings.ThinkTime > TimeSpan.Zero ? $"with a pause of {settings.ThinkTime.TotalMilliseconds:0} ms between streams " : "back to back ") +
                $"(text '{QuotasSettings.Text}', {QuotasSettings.Text.Length} characters, chunk_ms={settings.ChunkMs}) and reading each body to its end; " +
                $"after a failure a client waits for Retry-After (at most 10 s) or {DurationFormat.Format(ClosedLoopLoad.FailurePause)}")
            .AddFact("Backends", $"per run {settings.Backends} new in-process emulators, dialect {QuotasSettings.Dialect}, synthetic voice, " +
                $"RTF 0, no first-chunk delay, Metadata:MaxConcurrency={QuotasSettings.MaxConcurrency} each (admission does not queue)")
            .AddFact("Proxy", "a new `dotnet ChatTts.Edge.Proxy.dll` process per run, from its build output, ASPNETCORE_ENVIRONMENT=Production")
            .AddFact("Quotas off", "requests without a key; " + Configuration(settings, QuotaMode.Off, "(unset)"))
            .AddFact("Quotas on", $"every request with {QuotasSettings.ApiKeyHeader}: <a random key per invocation>; " +
                Configuration(settings, QuotaMode.On, "127.0.0.1:<port>"))
            .AddFact("Redis", $"redis-server {figures.RedisVersion} on 127.0.0.1 and a free port, --save \"\" --appendonly no, one for all runs")
            .AddFact("Before the load", "one stream at a time until one ends with done (as a smoke request would), then the load starts; per run: " +
                string.Join(", ", figures.Runs.Select(r => $"{Label(r)} {Figures.Count(r.Ready.Tries)} tr{(r.Ready.Tries == 1 ? "y" : "ies")} in {Figures.Milliseconds(r.Ready.Elapsed)}")))
            .AddFact("Timing", $"{LeadIn(settings)}{settings.Rounds} round(s) of one run per mode, order off→on, then on→off, …; per run duration " +
                $"{DurationFormat.Format(run.Duration)}, warm-up {DurationFormat.Format(run.Warmup)}, drain timeout " +
                $"{DurationFormat.Format(run.DrainTimeout)}; windows measured: off {Figures.Seconds(figures.Off.Window)}, on {Figures.Seconds(figures.On.Window)}")
            .AddFact("Quota check", "the proxy's own time for its quota-store call, from each response's Server-Timing: quota;dur=…, " +
                "i.e. from the call until its answer is back on a proxy thread: with quotas on the Redis round trip, the script and the " +
                "waits in the Redis client and the thread pool; with quotas off the in-memory store. Percentiles are nearest-rank over " +
                "every stream that ended in a window")
            .AddFact("Throughput", "streams that ended with done inside the windows ÷ the windows' wall time; TTFA is the client's time " +
                "from sending the request to the first audio event (done streams in the windows)");

        var runs = Table();
        foreach (var r in figures.Runs)
        {
            AddRow(runs, Label(r), ModeFigures.Of(r.Mode, [r]));
        }

        report.AddSection("Per run (streams and failed: whole run; the rest: inside the window)", runs);
        if (settings.Rounds > 1)
        {
            report.AddSection("All rounds together", AddRow(AddRow(Table(), "off", figures.Off), "on", figures.On));
        }

        var redis = new TextTable("run", "script calls", "per done stream", "Redis time per call", "Redis CPU", "quota check p50 (proxy)");
        foreach (var r in figures.Runs.Where(r => r.Redis is not null))
        {
            var mode = ModeFigures.Of(r.Mode, [r]);
            redis.Add(Label(r), r.Redis!.ScriptCalls.ToString(CultureInfo.InvariantCulture),
                Figures.Number(mode.DoneInWindow > 0 ? (double)r.Redis.ScriptCalls / mode.DoneInWindow : 0, "0.00"),
                Figures.Number(r.Redis.PerCall.TotalMicroseconds, "0.0") + " µs", Figures.Ratio(r.Redis.Cpu / r.Window) + " of a core",
                Figures.Milliseconds(Figures.Percentile(mode.QuotaChecks, 50), "0.000"));
        }

        report.AddSection("Redis's own share, inside the window (INFO commandstats and cpu: EVAL and EVALSHA, i.e. acquire, renew, release)", redis);
        return report
            .AddFailures(figures.Runs.SelectMany(r => r.Streams.Where(s => s.Status != StreamStatus.Done).Select(s => $"{Label(r)}: {s.Failure ?? s.Status.ToString()}"))
                .GroupBy(f => f).Select(g => (g.Key, g.Count())))
            .AddThresholds(result);
    }

    private static string Label(QuotasRun run) => $"{run.Round} {(run.Mode == QuotaMode.Off ? "off" : "on")}";

    private static string LeadIn(QuotasSettings settings) => settings.LeadIn > TimeSpan.Zero
        ? $"first an unmeasured lead-in run of {DurationFormat.Format(settings.LeadIn)} (quotas off) to warm this process's clients and emulators, then "
        : "no lead-in run, so the first run also warms this process's clients and emulators; ";

    private static string Failed(ModeFigures mode) => $"{Figures.Count(mode.Failed)} of {Figures.Count(mode.Streams)}";

    private static string Configuration(QuotasSettings settings, QuotaMode mode, string redis) =>
        string.Join(", ", settings.ProxyConfiguration(mode, redis)
            .Select(p => p.Key.EndsWith(":Sha256", StringComparison.Ordinal) ? $"{p.Key}=<its SHA-256>" : $"{p.Key}={p.Value}"));

    private static TextTable Table() => new("run", "streams", "failed", "done in window", "streams/s", "Server-Timing",
        "quota p50", "quota p90", "quota p99", "quota max", "TTFA p50", "TTFA p99");

    private static TextTable AddRow(TextTable table, string label, ModeFigures mode)
    {
        string Quota(double percent) => Figures.Milliseconds(Figures.Percentile(mode.QuotaChecks, percent), "0.000");
        string FirstAudio(double percent) => Figures.Milliseconds(Figures.Percentile(mode.FirstAudio, percent), "0.0");
        return table.Add(label, Figures.Count(mode.Streams), Figures.Count(mode.Failed), Figures.Count(mode.DoneInWindow),
            Figures.Number(mode.StreamsPerSecond), $"{Figures.Count(mode.QuotaChecks.Count)} of {Figures.Count(mode.InWindow)}",
            Quota(50), Quota(90), Quota(99), Quota(100), FirstAudio(50), FirstAudio(99));
    }
}
