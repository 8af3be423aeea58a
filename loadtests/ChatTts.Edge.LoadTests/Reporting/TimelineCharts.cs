namespace ChatTts.Edge.LoadTests.Reporting;

/// <summary>The HTML report's charts of a <see cref="Timeline"/>: the time to first audio over time (p50, p95, p99 per
/// bucket of start time), its histogram after the warm-up, the throughput, the streams in flight and the failed
/// streams over time. The time charts share one x axis, in buckets of one second or, for long runs, as many seconds as
/// keep them to at most 120. Thresholds on the metrics a chart shows, and their baseline values, are drawn over it
/// (<see cref="ChartMarks"/>).</summary>
internal static class TimelineCharts
{
    /// <summary>Colours of the failure reasons in the errors chart, the most frequent first; the rest share the last.</summary>
    private static readonly string[] FailureColours = ["#dc2626", "#f59e0b", "#7c3aed", "#0891b2", "#db2777", "#6b7280"];

    private const int MaxBuckets = 120;
    private static readonly int[] BucketSeconds = [1, 2, 5, 10, 15, 20, 30, 60, 120, 300, 600, 900, 1800, 3600];
    private const int HistogramBins = 30;
    private const string WarmupLabel = "warm-up";
    private const string TimeAxis = "time since the load started (s)";

    /// <summary>The charts as HTML <c>figure</c>s, one after the other.</summary>
    public static IEnumerable<string> Render(Timeline timeline, ChartMarks marks)
    {
        ArgumentNullException.ThrowIfNull(timeline);
        ArgumentNullException.ThrowIfNull(marks);
        var buckets = Buckets.For(timeline);
        yield return FirstAudioOverTime(timeline, buckets, marks);
        yield return FirstAudioHistogram(timeline, marks);
        yield return Throughput(timeline, buckets, marks);
        yield return InFlight(timeline, buckets, marks);
        yield return Errors(timeline, buckets);
    }

    private static bool IsFirstAudio(string metric) => metric.StartsWith("ttfa.", StringComparison.Ordinal);

    private static string FirstAudioOverTime(Timeline timeline, Buckets buckets, ChartMarks marks)
    {
        var samples = new List<TimeSpan>[buckets.Count];
        foreach (var stream in timeline.Streams)
        {
            if (stream.FirstAudio is { } firstAudio)
            {
                (samples[buckets.Of(stream.StartedAt)] ??= []).Add(firstAudio);
            }
        }

        List<ChartPoint> Line(double percent) => samples
            .Select((s, i) => new ChartPoint(buckets.Middle(i), s is null ? null : Figures.Percentile(s, percent)?.TotalMilliseconds))
            .ToList();

        var chart = new SvgChart("Time to first audio over time", TimeAxis, "time to first audio (ms)")
            .XRange(0, buckets.End)
            .Shade(0, timeline.Warmup.TotalSeconds, WarmupLabel)
            // Highest first, matching the lines top to bottom; p95 dashed over p99 so both show where they meet
            // (with fewer than 20 streams in a bucket the nearest-rank p95 and p99 are both its maximum).
            .Line("p99", "#dc2626", Line(99))
            .Line("p95", "#d97706", Line(95), dashed: true)
            .Line("p50", "#2563eb", Line(50));
        return marks.Horizontal(chart, IsFirstAudio, ("ttfa.p99", "p99"), ("ttfa.p50", "p50")).ToHtml();
    }

    private static string FirstAudioHistogram(Timeline timeline, ChartMarks marks)
    {
        var values = timeline.Streams
            .Where(s => s.StartedAt >= timeline.Warmup && s.FirstAudio is not null)
            .Select(s => s.FirstAudio!.Value.TotalMilliseconds)
            .Where(double.IsFinite)
            .ToList();
        var chart = marks.Vertical(
            new SvgChart("Time to first audio histogram", "time to first audio (ms) of the streams started after the warm-up", "streams") { YMinStep = 1, MarkReach = 1 },
            IsFirstAudio);
        if (values.Count == 0)
        {
            return chart.ToHtml();
        }

        var (min, max) = (values.Min(), values.Max());
        if (max - min < 1e-9)
        {
            // One value (or all equal): one bar in the middle of an axis ten bars wide.
            var half = Math.Max(0.5, Math.Abs(min) * 0.01);
            var low = min >= 0 ? Math.Max(0, min - (10 * half)) : min - (10 * half);
            return chart.XRange(low, min + (10 * half))
                .Bars("streams", "#2563eb", [new ChartBar(min - half, min + half, values.Count, $"{Ms(min)} ms: {Count(values.Count)} streams")])
                .ToHtml();
        }

        var bins = Math.Clamp(values.Count, 1, HistogramBins);
        var width = (max - min) / bins;
        var counts = new int[bins];
        values.ForEach(v => counts[Math.Clamp((int)((v - min) / width), 0, bins - 1)]++);
        var bars = counts.Select((count, i) => new ChartBar(min + (i * width), min + ((i + 1) * width), count,
            $"{Ms(min + (i * width))}–{Ms(min + ((i + 1) * width))} ms: {Count(count)} streams")).ToList();
        return chart.XRange(min, max).Bars("streams", "#2563eb", bars).ToHtml();
    }

    private static string Throughput(Timeline timeline, Buckets buckets, ChartMarks marks)
    {
        var seconds = buckets.Seconds;
        var events = new double[buckets.Count];
        for (var second = 0; second < timeline.AudioEventsPerSecond.Count; second++)
        {
            events[buckets.Of(TimeSpan.FromSeconds(second))] += timeline.AudioEventsPerSecond[second];
        }

        var chart = new SvgChart("Throughput over time", TimeAxis, "audio events/s") { YMinStep = 1.0 / seconds }
            .XRange(0, buckets.End)
            .Shade(0, timeline.Warmup.TotalSeconds, WarmupLabel);
        if (timeline.AudioEventsPerSecond.Count > 0)
        {
            chart.Bars("audio events/s", "#93c5fd", events.Select((e, i) => new ChartBar(i * seconds, (i + 1) * seconds, e / seconds,
                $"{Count(i * seconds)}–{Count((i + 1) * seconds)} s: {Figures.Number(e / seconds)} audio events/s")).ToList());
        }

        return marks.Horizontal(chart, m => m == "events_per_second", ("events_per_second", "")).ToHtml();
    }

    /// <summary>The most streams open at once in each bucket: every stream counts from its request to its end.</summary>
    private static string InFlight(Timeline timeline, Buckets buckets, ChartMarks marks)
    {
        // Ends before starts at the same instant: a client that starts its next stream as one ends holds one, not two.
        var changes = timeline.Streams.SelectMany(s => new[] { (At: s.StartedAt, Delta: 1), (At: s.EndedAt, Delta: -1) })
            .OrderBy(c => c.At).ThenBy(c => c.Delta).ToList();
        var most = new double[buckets.Count];
        var (open, next) = (0, 0);
        for (var bucket = 0; bucket < buckets.Count; bucket++)
        {
            most[bucket] = open;
            var end = TimeSpan.FromSeconds((bucket + 1.0) * buckets.Seconds);
            for (; next < changes.Count && (changes[next].At < end || bucket == buckets.Count - 1); next++)
            {
                open += changes[next].Delta;
                most[bucket] = Math.Max(most[bucket], open);
            }
        }

        var chart = new SvgChart("Streams in flight over time", TimeAxis, $"streams open (most at once per {buckets.Seconds} s)") { YMinStep = 1 }
            .XRange(0, buckets.End)
            .Shade(0, timeline.Warmup.TotalSeconds, WarmupLabel)
            .Line("streams in flight", "#0d9488", [.. most.Select((m, i) => new ChartPoint(buckets.Middle(i), m))]);
        return marks.Horizontal(chart, m => m == "peak_in_flight", ("peak_in_flight", "peak")).ToHtml();
    }

    /// <summary>Failed streams by when they ended, stacked by reason (HTTP status, error code, broken, cut, invalid audio).</summary>
    private static string Errors(Timeline timeline, Buckets buckets)
    {
        var chart = new SvgChart("Errors over time", TimeAxis, $"failed streams per {buckets.Seconds} s (by when they ended)")
        {
            YMinStep = 1,
            EmptyText = "No stream failed.",
        }.XRange(0, buckets.End).Shade(0, timeline.Warmup.TotalSeconds, WarmupLabel);
        var failed = timeline.Streams.Where(s => !s.Succeeded).ToList();
        var frequent = failed.GroupBy(Reason).OrderByDescending(g => g.Count()).Take(FailureColours.Length - 1).Select(g => g.Key).ToHashSet();
        var series = failed.GroupBy(s => frequent.Contains(Reason(s)) ? Reason(s) : "other").OrderByDescending(g => g.Count()).ToList();
        var below = new double[buckets.Count];
        for (var r = 0; r < series.Count; r++)
        {
            var counts = new double[buckets.Count];
            foreach (var stream in series[r])
            {
                counts[buckets.Of(stream.EndedAt)]++;
            }

            chart.Bars(series[r].Key, FailureColours[r], [.. counts.Select((count, i) => new ChartBar(i * buckets.Seconds, (i + 1) * buckets.Seconds, count,
                $"{Count(i * buckets.Seconds)}–{Count((i + 1) * buckets.Seconds)} s: {Count((int)count)} × {series[r].Key}") { Base = below[i] })]);
            for (var i = 0; i < counts.Length; i++)
            {
                below[i] += counts[i];
            }
        }

        return chart.ToHtml();
    }

    private static string Reason(TimelinePoint stream) => stream.Failure ?? "failed";

    private static string Ms(double value) => Figures.Number(value, "0.#");

    private static string Count(int value) => Figures.Count(value);

    /// <summary>Buckets of <see cref="Seconds"/> seconds from the start of the load to past the last thing that happened.</summary>
    private sealed record Buckets(int Seconds, int Count)
    {
        public double End => (double)Seconds * Count;

        public static Buckets For(Timeline timeline)
        {
            var last = new[] { timeline.Duration, TimeSpan.FromSeconds(timeline.AudioEventsPerSecond.Count) }
                .Concat(timeline.Streams.SelectMany(s => new[] { s.StartedAt, s.EndedAt }))
                .Max();
            var totalSeconds = Math.Max(1, (int)Math.Ceiling(Math.Min(last.TotalSeconds, int.MaxValue / 2.0)));
            var seconds = BucketSeconds.Where(s => totalSeconds <= s * MaxBuckets).DefaultIfEmpty((int)Math.Ceiling(totalSeconds / (double)MaxBuckets)).First();
            return new Buckets(seconds, (int)Math.Ceiling(totalSeconds / (double)seconds));
        }

        public int Of(TimeSpan at) => Math.Clamp((int)Math.Floor(at.TotalSeconds / Seconds), 0, Count - 1);

        public double Middle(int bucket) => (bucket + 0.5) * Seconds;
    }
}
