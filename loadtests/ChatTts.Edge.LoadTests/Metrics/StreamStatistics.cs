using ChatTts.Edge.LoadTests.Load;
using ChatTts.Edge.LoadTests.Reporting;

namespace ChatTts.Edge.LoadTests.Metrics;

/// <summary>
/// The standard metrics of a set of streams: time to first audio (<c>ttfa</c>), whole stream time (<c>total</c>) and
/// time between audio events (<c>gap</c>) as p50/p90/p95/p99/max from the exact samples (nearest rank, never an
/// average of percentiles); outcomes; throughput over the measurement window.
/// </summary>
internal static class StreamStatistics
{
    public static readonly string[] Percentiles = ["p50", "p90", "p95", "p99", "max"];

    /// <summary>Adds the metrics of <paramref name="streams"/> (the ones in the window) to <paramref name="metrics"/>.</summary>
    /// <param name="window">The measurement window's length, for the per-second figures.</param>
    /// <param name="prefix">Put before every name, for a scenario that measures several paths (e.g. <c>direct.</c>).</param>
    public static MetricSet AddTo(MetricSet metrics, IReadOnlyList<StreamOutcome> streams, TimeSpan window, TimeProvider time, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(streams);
        ArgumentNullException.ThrowIfNull(time);
        var succeeded = streams.Where(s => s.Succeeded).ToList();
        AddDistribution(metrics, prefix + "ttfa", [.. streams.Where(s => s.FirstAudio is not null).Select(s => s.FirstAudio!.Value)],
            "from sending the request to the first audio event");
        AddDistribution(metrics, prefix + "total", [.. succeeded.Select(s => time.GetElapsedTime(s.StartedAt, s.EndedAt))], "from sending the request to the end of a successful stream");
        AddDistribution(metrics, prefix + "gap", [.. streams.SelectMany(s => s.Gaps)], "between consecutive audio events of a stream");

        var failed = streams.Count - succeeded.Count;
        var seconds = Math.Max(window.TotalSeconds, 1e-9);
        return metrics
            .Add(prefix + "streams", streams.Count, MetricUnit.Count, MetricDirection.HigherIsBetter, "streams started in the window")
            .Add(prefix + "streams_ok", succeeded.Count, MetricUnit.Count, MetricDirection.HigherIsBetter, "ended with done and valid audio")
            .Add(prefix + "failed", failed, MetricUnit.Count, MetricDirection.LowerIsBetter, "refused, error event, broken, cut or invalid audio")
            .Add(prefix + "error_rate", streams.Count == 0 ? 0 : (double)failed / streams.Count, MetricUnit.Ratio, MetricDirection.LowerIsBetter,
                "failed ÷ started")
            .Add(prefix + "invalid_audio", streams.Count(s => s.AudioProblem is not null), MetricUnit.Count, MetricDirection.LowerIsBetter,
                "streams with a bad WAV chunk, a seq gap or a done that disagrees with the audio")
            .Add(prefix + "refused_429", streams.Count(s => s.HttpStatus == 429), MetricUnit.Count, MetricDirection.LowerIsBetter, "answered 429")
            .Add(prefix + "refused_503", streams.Count(s => s.HttpStatus == 503), MetricUnit.Count, MetricDirection.LowerIsBetter, "answered 503")
            .Add(prefix + "streams_per_second", succeeded.Count / seconds, MetricUnit.StreamsPerSecond, MetricDirection.HigherIsBetter,
                "successful streams per second of the window")
            .Add(prefix + "events_per_second", streams.Sum(s => (long)s.AudioEvents) / seconds, MetricUnit.EventsPerSecond, MetricDirection.HigherIsBetter,
                "audio events received per second of the window")
            .Add(prefix + "audio_seconds_per_second", streams.Sum(s => s.AudioSeconds) / seconds, MetricUnit.AudioSecondsPerSecond, MetricDirection.HigherIsBetter,
                "seconds of audio received per second of the window")
            .Add(prefix + "megabytes_per_second", streams.Sum(s => s.Bytes) / 1e6 / seconds, MetricUnit.MegabytesPerSecond, MetricDirection.HigherIsBetter,
                "response bytes received per second of the window (MB/s)");
    }

    /// <summary>The streams a window counts: those started after the warm-up (NBomber's rule), whatever their end.</summary>
    public static IReadOnlyList<StreamOutcome> InWindow(IReadOnlyList<StreamOutcome> streams, long loadStarted, TimeSpan warmup, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(streams);
        ArgumentNullException.ThrowIfNull(time);
        return [.. streams.Where(s => time.GetElapsedTime(loadStarted, s.StartedAt) >= warmup)];
    }

    /// <summary>The chart and breakdown data of a run.</summary>
    /// <param name="measured">The streams the run's figures count; by default those started after the warm-up.</param>
    public static Timeline Timeline(IReadOnlyList<StreamOutcome> streams, long loadStarted, TimeSpan warmup, TimeSpan duration, LoadMeter meter, TimeProvider time,
        IReadOnlyList<StreamOutcome>? measured = null)
    {
        ArgumentNullException.ThrowIfNull(streams);
        ArgumentNullException.ThrowIfNull(meter);
        ArgumentNullException.ThrowIfNull(time);
        var counted = new HashSet<StreamOutcome>(measured ?? InWindow(streams, loadStarted, warmup, time), ReferenceEqualityComparer.Instance);
        return new Timeline(warmup, duration, [.. streams.Select(s => new TimelinePoint(
            time.GetElapsedTime(loadStarted, s.StartedAt), time.GetElapsedTime(loadStarted, s.EndedAt), s.FirstAudio, s.Succeeded)
        {
            Measured = counted.Contains(s),
            HttpStatus = s.HttpStatus,
            ErrorCode = s.ErrorCode,
            Backend = s.Backend,
            Failure = s.Succeeded ? null : s.OutcomeText,
        })], meter.AudioEventsPerSecond());
    }

    /// <summary>Adds <c>name.p50</c> … of <paramref name="samples"/> in milliseconds (nearest rank; NaN without samples),
    /// for <paramref name="percentiles"/> (default <see cref="Percentiles"/>), each described as "p of the time
    /// <paramref name="what"/>".</summary>
    public static void AddDistribution(MetricSet metrics, string name, IReadOnlyList<TimeSpan> samples, string what, IReadOnlyList<string>? percentiles = null)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(samples);
        var sorted = samples.Order().ToArray();
        foreach (var percentile in percentiles ?? Percentiles)
        {
            var percent = percentile == "max" ? 100 : double.Parse(percentile[1..], System.Globalization.CultureInfo.InvariantCulture);
            var value = Figures.PercentileOfSorted(sorted, percent);
            metrics.Add($"{name}.{percentile}", value?.TotalMilliseconds ?? double.NaN, MetricUnit.Milliseconds, MetricDirection.LowerIsBetter,
                $"{percentile} of the time {what} ({sorted.Length} samples)");
        }
    }
}
