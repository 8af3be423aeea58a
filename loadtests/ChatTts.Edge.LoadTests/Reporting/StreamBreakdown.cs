using System.Globalization;
using ChatTts.Edge.LoadTests.Metrics;

namespace ChatTts.Edge.LoadTests.Reporting;

/// <summary>
/// The measured streams of a run broken down three ways: by the HTTP status of the response, by the code of the
/// <c>error</c> event that ended them, and by the backend their <c>done</c> event names (the proxy names no backend
/// on an <c>error</c> event, so failed streams without <c>done</c> are counted apart). Each row: streams, share,
/// failed, and the time to first audio of its streams.
/// </summary>
internal static class StreamBreakdown
{
    private const string Measured = "(the streams the figures count)";

    public static Report AddTo(Report report, Timeline timeline)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(timeline);
        var streams = timeline.Measured.ToList();
        var errors = streams.Where(s => s.ErrorCode is not null).ToList();
        return report
            .AddSection($"Streams by HTTP status {Measured}", Table("HTTP status", streams, streams.Count,
                s => s.HttpStatus is { } status ? status.ToString(CultureInfo.InvariantCulture) : "none (no response)"))
            .AddSection($"Streams by error code {Measured}", errors.Count == 0
                ? new TextTable("error code", "streams").Add("none: no stream ended with an error event", "0")
                : Table("error code", errors, streams.Count, s => s.ErrorCode!))
            .AddSection($"Streams by backend {Measured}", Table("backend (done event)", streams, streams.Count, s => s.Backend ?? "– (no done event)"));
    }

    private static TextTable Table(string heading, List<TimelinePoint> streams, int total, Func<TimelinePoint, string> key)
    {
        var table = new TextTable(heading, "streams", "share", "failed", "TTFA p50", "TTFA p99");
        foreach (var group in streams.GroupBy(key).OrderBy(g => g.Key.StartsWith('–') || g.Key.StartsWith("none", StringComparison.Ordinal)).ThenBy(g => g.Key, StringComparer.Ordinal))
        {
            var firstAudio = group.Where(s => s.FirstAudio is not null).Select(s => s.FirstAudio!.Value).Order().ToArray();
            string Percentile(double percent) => MetricFormat.Value(Figures.PercentileOfSorted(firstAudio, percent)?.TotalMilliseconds ?? double.NaN, MetricUnit.Milliseconds);
            var count = group.Count();
            table.Add(group.Key, MetricFormat.Value(count, MetricUnit.Count), MetricFormat.Value(total == 0 ? double.NaN : (double)count / total, MetricUnit.Ratio),
                MetricFormat.Value(group.Count(s => !s.Succeeded), MetricUnit.Count), Percentile(50), Percentile(99));
        }

        return table;
    }
}
