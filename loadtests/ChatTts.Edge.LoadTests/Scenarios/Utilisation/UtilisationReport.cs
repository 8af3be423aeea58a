using ChatTts.Edge.LoadTests.CommandLine;
using ChatTts.Edge.LoadTests.Load;
using ChatTts.Edge.LoadTests.Reporting;

namespace ChatTts.Edge.LoadTests.Scenarios.Utilisation;

/// <summary>Judges the thresholds and lays out the figures as a report.</summary>
internal static class UtilisationReport
{
    public static ScenarioResult Judge(UtilisationFigures figures, UtilisationSettings settings)
    {
        var lowest = figures.Backends.MinBy(b => b.Utilisation)!;
        var crowded = figures.Backends.MaxBy(b => b.PeakInFlight)!;
        var failed = figures.Streams.Count(s => s.Status is not (StreamStatus.Done or StreamStatus.GaveUp));
        return new ScenarioResult(
        [
            new($"utilisation ≥ {Figures.Ratio(settings.MinUtilisation)} on every backend",
                $"lowest {Figures.Ratio(lowest.Utilisation)} ({lowest.DestinationId})", lowest.Utilisation >= settings.MinUtilisation),
            new("PeakInFlight ≤ 1 on every backend (never a second request while one computes, abandoned ones included)",
                $"highest {crowded.PeakInFlight} ({crowded.DestinationId})", crowded.PeakInFlight <= 1),
            new("no failed stream", $"{failed} of {figures.Streams.Count}", failed == 0),
            new("the proxy runs to the end", figures.ProxyExited ? "it exited" : "it did", !figures.ProxyExited),
        ]);
    }

    public static Report Build(UtilisationFigures figures, UtilisationSettings settings, ScenarioContext context, ScenarioResult result)
    {
        var run = context.Run;
        var report = new Report("Load test: utilisation of the GPUs behind the admission queue")
            .AddFact("Command", context.Command, code: true)
            .AddFact("Date", MachineFacts.Date(context.Time))
            .AddFact("Machine", MachineFacts.Describe())
            .AddFact("Load", $"{settings.Clients} closed-loop clients, each streaming GET /v1/tts/stream back to back " +
                $"({UtilisationSettings.Text.Split(' ').Length} words, {UtilisationSettings.Text.Length} characters, chunk_ms={settings.ChunkMs}); " +
                $"after a failure a client waits for Retry-After (at most 10 s) or {DurationFormat.Format(ClosedLoopLoad.FailurePause)}")
            .AddFact("Backends", $"{settings.Backends} in-process emulators, dialect {UtilisationSettings.Dialect}, synthetic voice, " +
                $"RTF {Figures.Number(settings.RealTimeFactor, "0.###")}, first chunk after {DurationFormat.Format(settings.FirstChunkDelay)}, one synthesis at a time, " +
                "computing on to the end when the client leaves (as openai_api.py)")
            .AddFact("Proxy", $"{settings.Replicas} × dotnet ChatTts.Edge.Proxy.dll from its build output (clients spread over them in turn), " +
                "ASPNETCORE_ENVIRONMENT=Production, " +
                string.Join(", ", settings.ProxyConfiguration.Concat(run.ProxySettings).Select(p => $"{p.Key}={p.Value}")))
            .AddFact("Timing", $"duration {DurationFormat.Format(run.Duration)}, warm-up {DurationFormat.Format(run.Warmup)}, " +
                $"window {Figures.Seconds(figures.Window)} (measured), drain timeout {DurationFormat.Format(run.DrainTimeout)}, " +
                $"drained in time: {(figures.Drained ? "yes" : "no")}")
            .AddFact("Utilisation", "(BusyTime at window end − BusyTime at window start) ÷ window wall time, per emulator; " +
                "BusyTime is the time its GPU lock was held by syntheses");

        var backends = new TextTable("backend", "utilisation", "busy in window", "done in window", "done", "syntheses", "aborted", "peak in flight", "peak syntheses");
        foreach (var b in figures.Backends)
        {
            backends.Add(b.DestinationId, Figures.Ratio(b.Utilisation), Figures.Seconds(b.Busy), Figures.Count(b.StreamsDoneInWindow),
                Figures.Count(b.StreamsDone), Figures.Count(b.Syntheses), Figures.Count(b.Aborted), Figures.Count(b.PeakInFlight), Figures.Count(b.PeakSyntheses));
        }

        report.AddSection("Per backend (utilisation and busy time in the window; other counts for the whole run)", backends)
            .AddSection("Streams through the proxy (client side, whole run)", StreamTable(figures, settings.Clients));
        return report
            .AddFailures(figures.Streams.Where(s => s.Status is not (StreamStatus.Done or StreamStatus.GaveUp)).GroupBy(s => s.Failure ?? s.Status.ToString()).Select(g => (g.Key, g.Count())))
            .AddThresholds(result);
    }

    private static TextTable StreamTable(UtilisationFigures figures, int clients)
    {
        var streams = figures.Streams;
        var done = streams.Where(s => s.Status == StreamStatus.Done).ToList();
        // A queue is fair when every client gets its turn; without one, the clients that hold a GPU keep it.
        var perClient = Enumerable.Range(0, clients).Select(c => done.Count(s => s.Client == c)).ToList();
        var firstAudio = done.Where(s => s.FirstAudio is not null).Select(s => s.FirstAudio!.Value).ToList();
        int Count(StreamStatus status) => streams.Count(s => s.Status == status);
        return new TextTable("figure", "value")
            .Add("streams started", Figures.Count(streams.Count))
            .Add("ended with done", Figures.Count(done.Count))
            .Add("left by their client on purpose (--give-up)", Figures.Count(Count(StreamStatus.GaveUp)))
            .Add("ended with an error event", Figures.Count(Count(StreamStatus.ErrorEvent)))
            .Add("refused (not HTTP 200)", Figures.Count(Count(StreamStatus.Refused)))
            .Add("broken (no done or error)", Figures.Count(Count(StreamStatus.Broken)))
            .Add("cut at the drain timeout", Figures.Count(Count(StreamStatus.Cut)))
            .Add("waited in the queue (queued event)", Figures.Count(streams.Count(s => s.Queued)))
            .Add("audio events", Figures.Count(streams.Sum(s => s.AudioEvents)))
            .Add("done per client, fewest–most", $"{perClient.Min()}–{perClient.Max()}")
            .Add("done in window, per minute", Figures.Number(done.Count(figures.InWindow) / figures.Window.TotalMinutes))
            .Add("first audio p50 (done streams)", Figures.Milliseconds(Figures.Percentile(firstAudio, 50)))
            .Add("first audio p95", Figures.Milliseconds(Figures.Percentile(firstAudio, 95)))
            .Add("first audio max", Figures.Milliseconds(Figures.Percentile(firstAudio, 100)));
    }
}
