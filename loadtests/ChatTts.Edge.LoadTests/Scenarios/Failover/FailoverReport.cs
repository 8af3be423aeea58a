using System.Globalization;
using ChatTts.Edge.LoadTests.CommandLine;
using ChatTts.Edge.LoadTests.Load;
using ChatTts.Edge.LoadTests.Reporting;
using ChatTts.Edge.LoadTests.Scenarios.Streams;

namespace ChatTts.Edge.LoadTests.Scenarios.Failover;

/// <summary>
/// The failover report: the stream report (what ran, latency, figures, failures), then the kill, the rule every
/// stream is judged by, the streams open at the kill and every failed stream with its reason, then the thresholds.
/// </summary>
internal static class FailoverReport
{
    /// <summary>Rows of the failed-streams table at most; the figures count them all.</summary>
    private const int MostFailuresListed = 50;

    private const string ThresholdsSection = "Thresholds";

    public static Report Build(
        string scenario, StreamSettings settings, StreamRunResult run, FailoverFigures figures, BackendKill kill, ScenarioContext context,
        ScenarioResult result, long? files, IReadOnlyList<string> proxyAccount)
    {
        ArgumentNullException.ThrowIfNull(figures);
        ArgumentNullException.ThrowIfNull(kill);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(proxyAccount);
        var standard = StreamReport.Build(scenario, settings, run, context, result, files);
        var report = new Report(standard.Title);
        foreach (var (label, value, code) in standard.Facts)
        {
            report.AddFact(label, value, code);
        }

        var killed = kill.Backend;
        report
            .AddFact("Kill", $"{killed.DestinationId} ({killed.Emulator.BaseAddress.AbsoluteUri}) stopped at {Since(figures.KilledAt)} " +
                $"after the load started (half-way through the run, or at the end of a longer warm-up; the stop took {Figures.Milliseconds(kill.StopTook)}): the synthesis under way " +
                $"had its connection aborted and the port refuses from then on; it had received {Figures.Count(kill.RequestsBeforeKill)} synthesis requests")
            .AddFact("Rule", $"a stream may fail only if it was on {killed.DestinationId} at the kill: {killed.DestinationId} had received its " +
                "request (its text, which carries the stream's number, is in the emulator's records) and the stream was open when it died. " +
                "Such a stream is expected to end with an error event (code backend_interrupted) when audio had already reached the client; " +
                "before any audio the proxy must retry it on another backend. Every other stream, and every stream started after the kill, " +
                "must end with done. Counted over the whole run, warm-up included")
            .AddFact("Error events", "the load client keeps an error event's code (as \"error <code>\") and the audio events received " +
                "before it, not its retryable flag; the proxy's own account of each failure, from its warnings, is listed below");

        foreach (var (title, table) in standard.Sections.Where(s => s.Title != ThresholdsSection))
        {
            report.AddSection(title, table);
        }

        report.AddSection("Streams open at the kill", AtKill(figures, killed.DestinationId, context.Time));
        var time = context.Time;
        var failed = figures.Failed;
        var failures = new TextTable("stream", "started", "ended", $"on {killed.DestinationId} at the kill", "reason", "audio events", "verdict");
        foreach (var stream in failed.Take(MostFailuresListed))
        {
            var on = figures.IsOnKilledBackend(stream);
            failures.Add(Number(stream), Since(figures, stream.StartedAt, time), Since(figures, stream.EndedAt, time), on ? "yes" : "no",
                Reason(stream), Figures.Count(stream.AudioEvents), on ? "expected" : "ERROR");
        }

        var failedTitle = failed.Count > MostFailuresListed
            ? $"Failed streams (the first {MostFailuresListed} of {failed.Count}, whole run)"
            : $"Failed streams ({failed.Count}, whole run)";
        report.AddSection(failedTitle, failed.Count == 0 ? new TextTable("stream").Add("none") : failures);
        if (proxyAccount.Count > 0)
        {
            var account = new TextTable("the proxy's warnings (latest)");
            foreach (var line in proxyAccount)
            {
                account.Add(line);
            }

            report.AddSection("The proxy's account", account);
        }

        return report.AddThresholds(result);
    }

    private static TextTable AtKill(FailoverFigures figures, string killed, TimeProvider time)
    {
        var table = new TextTable("stream", "started", "ended", "first audio", $"on {killed}", "outcome", "done's backend", "audio events");
        foreach (var stream in figures.InFlightAtKill)
        {
            table.Add(Number(stream), Since(figures, stream.StartedAt, time), Since(figures, stream.EndedAt, time), Figures.Milliseconds(stream.FirstAudio),
                figures.IsOnKilledBackend(stream) ? "yes" : "no", Reason(stream), stream.Backend ?? "–", Figures.Count(stream.AudioEvents));
        }

        return table;
    }

    private static string Reason(StreamOutcome stream) =>
        stream.Succeeded ? "done"
        : stream.AudioProblem is { } problem ? "invalid audio: " + problem
        : stream.HttpStatus is { } status && status != 200 ? $"HTTP {status.ToString(CultureInfo.InvariantCulture)}" + (stream.RetryAfter is { } r ? $", Retry-After {DurationFormat.Format(r)}" : "")
        : stream.Failure ?? stream.Status.ToString();

    private static string Number(StreamOutcome stream) => stream.Number.ToString(CultureInfo.InvariantCulture);

    private static string Since(FailoverFigures figures, long timestamp, TimeProvider time) => Since(time.GetElapsedTime(figures.LoadStarted, timestamp));

    private static string Since(TimeSpan value) => value.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture) + " s";
}
