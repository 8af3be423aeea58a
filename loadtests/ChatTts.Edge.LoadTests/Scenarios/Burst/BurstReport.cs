using System.Globalization;
using ChatTts.Edge.LoadTests.CommandLine;
using ChatTts.Edge.LoadTests.Load;
using ChatTts.Edge.LoadTests.Metrics;
using ChatTts.Edge.LoadTests.Reporting;

namespace ChatTts.Edge.LoadTests.Scenarios.Burst;

/// <summary>The burst report: what ran, the plan and the range of admissions it allows, requests by replica and by
/// second, every figure, other failures, thresholds.</summary>
internal static class BurstReport
{
    public static string LoadText(BurstSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return string.Create(CultureInfo.InvariantCulture,
            $"{settings.Clients} clients, each sending its next request the moment the last one ended (no pause after a 429, Retry-After ignored), " +
            $"at most {settings.MaxRequests} requests, all with one API key (Authorization: Bearer), in turn to {settings.Replicas} proxy replica(s)");
    }

    public static Report Build(
        BurstFigures figures, IReadOnlyList<Uri> replicas, string redisVersion, bool drained, ScenarioContext context, ScenarioResult result)
    {
        ArgumentNullException.ThrowIfNull(figures);
        ArgumentNullException.ThrowIfNull(replicas);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(result);
        var settings = figures.Settings;
        var interval = settings.EmissionInterval;
        var retryAfters = figures.Streams.Where(s => s.HttpStatus == 429 && s.RetryAfter is not null).Select(s => s.RetryAfter!.Value).ToList();
        var report = new Report("Load test: burst")
            .AddFact("Command", context.Command, code: true)
            .AddFact("Date", MachineFacts.Date(context.Time))
            .AddFact("Machine", MachineFacts.Describe())
            .AddFact("Load", $"{LoadText(settings)}; each GET /v1/tts/stream?text=…&chunk_ms={settings.ChunkMs} ({BurstSettings.Text.Length} characters)")
            .AddFact("System under test", $"{replicas.Count} × dotnet ChatTts.Edge.Proxy.dll (Production, warnings-only logging) sharing one " +
                $"redis-server {redisVersion} (Edge:Quotas:Store Redis, FailureMode Closed), in front of {settings.Backends} in-process emulators " +
                $"({BurstSettings.Dialect}, synthetic voice, {BurstSettings.BackendConcurrency} streams at once each, so GPU capacity never refuses)")
            .AddFact("Plan", string.Create(CultureInfo.InvariantCulture,
                $"key '{BurstSettings.KeyId}': RequestsPerMinute {settings.RequestsPerMinute:0.###} (one request per {Figures.Milliseconds(interval)}), " +
                $"Burst {settings.Burst}; CharactersPerDay and ConcurrentStreams far above the run, so only the rate refuses"))
            .AddFact("Expected", string.Create(CultureInfo.InvariantCulture,
                $"GCRA admits Burst at once, then one per interval: Burst + floor(T ÷ interval) over a span T of Redis's decisions. " +
                $"T lies between {Figures.Seconds(figures.SpanMin)} (the last request sent − the first response) and {Figures.Seconds(figures.SpanMax)} " +
                $"(the last response − the first request sent), so admitted must lie in [{figures.ExpectedMin}, {figures.ExpectedMax}] " +
                $"(± 1 for the edge); every other request must be a 429 with Retry-After"))
            .AddFact("Retry-After", retryAfters.Count == 0 ? "no 429 carried one"
                : $"{DurationFormat.Format(retryAfters.Min())} to {DurationFormat.Format(retryAfters.Max())} on the 429s")
            .AddFact("Timing", $"duration {DurationFormat.Format(context.Run.Duration)} from the first request (no warm-up: the burst is the " +
                $"start), drain timeout {DurationFormat.Format(context.Run.DrainTimeout)}, drained in time: {(drained ? "yes" : "no")}");

        var byReplica = new TextTable("replica", "requests", "admitted", "429", "other failures");
        for (var i = 0; i < replicas.Count; i++)
        {
            var replica = i;
            var streams = figures.Streams.Where(s => s.Number % replicas.Count == replica).ToList();
            byReplica.Add(replicas[i].AbsoluteUri, Count(streams.Count), Count(streams.Count(s => s.HttpStatus == 200)),
                Count(streams.Count(s => s.HttpStatus == 429)), Count(streams.Count(s => s.HttpStatus != 429 && !s.Succeeded)));
        }

        byReplica.Add("all", Count(figures.Streams.Count), Count(figures.Admitted.Count), Count(figures.Refused), Count(figures.OtherFailures.Count));

        var metrics = result.Metrics;
        var table = new TextTable("metric", "value", "what it is");
        foreach (var metric in metrics.All)
        {
            table.Add(metric.Name, MetricFormat.Value(metric.Value, metric.Unit), metric.Description);
        }

        return report
            .AddSection("Requests by replica", byReplica)
            .AddSection("Requests by the second they were sent in", BySecond(figures, context.Time))
            .AddSection("Figures", table)
            .AddFailures(figures.OtherFailures.GroupBy(s => s.AudioProblem ?? s.OutcomeText).Select(g => (g.Key, g.Count())))
            .AddThresholds(result);
    }

    private static TextTable BySecond(BurstFigures figures, TimeProvider time)
    {
        var table = new TextTable("second", "sent", "admitted", "429", "admitted so far", "GCRA allows by its end");
        var seconds = figures.Streams.GroupBy(s => (int)time.GetElapsedTime(figures.FirstRequest, s.StartedAt).TotalSeconds)
            .OrderBy(g => g.Key)
            .ToList();
        var admittedSoFar = 0;
        foreach (var second in seconds)
        {
            var admitted = second.Count(s => s.HttpStatus == 200);
            admittedSoFar += admitted;
            // Burst at the first request, then one at each whole interval after it that falls before the second's end.
            var allowed = figures.Settings.Burst + (int)Math.Ceiling(TimeSpan.FromSeconds(second.Key + 1) / figures.Settings.EmissionInterval) - 1;
            table.Add(second.Key.ToString(CultureInfo.InvariantCulture), Count(second.Count()), Count(admitted), Count(second.Count(s => s.HttpStatus == 429)),
                Count(admittedSoFar), Count(allowed));
        }

        return table;
    }

    private static string Count(int value) => Figures.Count(value);
}
