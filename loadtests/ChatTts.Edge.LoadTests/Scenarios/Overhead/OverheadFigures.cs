using System.Globalization;
using ChatTts.Edge.LoadTests.Load;
using ChatTts.Edge.LoadTests.Metrics;
using ChatTts.Edge.LoadTests.Reporting;

namespace ChatTts.Edge.LoadTests.Scenarios.Overhead;

/// <summary>
/// The overhead scenario's metrics. Per path (<c>direct.</c>, <c>edge.</c>, <c>nginx.</c>): time to first audio and
/// whole-stream percentiles and outcomes over the streams of all its turns' windows (the edge with every
/// <see cref="StreamStatistics"/> figure). Then each proxy's added latency as the difference of its percentile and
/// direct's (<c>edge.added_ttfa.p99</c> = <c>edge.ttfa.p99</c> − <c>direct.ttfa.p99</c>), the edge's added latency
/// minus nginx's, errors over all paths, the proxies' own costs, and the hey cross-check.
/// </summary>
internal static class OverheadFigures
{
    private static readonly string[] Percentiles = StreamStatistics.Percentiles;

    private static readonly string[] FirstStepPercentiles = ["p50", "p99"];

    /// <summary>The statistics a raw path shares with the edge (gaps and events are the edge's SSE notions).</summary>
    private static readonly HashSet<string> RawStatistics = new(StringComparer.Ordinal)
    {
        "streams", "streams_ok", "failed", "error_rate", "invalid_audio", "streams_per_second", "audio_seconds_per_second", "megabytes_per_second",
    };

    /// <summary>Every metric name the scenario measures, for checking thresholds before anything starts.</summary>
    public static IReadOnlyCollection<string> MetricNames() =>
        [.. Compute(OverheadMeasurement.Empty, TimeProvider.System).All.Select(m => m.Name)];

    public static MetricSet Compute(OverheadMeasurement measurement, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(measurement);
        var metrics = new MetricSet();
        foreach (var path in OverheadPath.All)
        {
            AddPath(metrics, measurement, path, time);
        }

        AddAdded(metrics);
        var all = OverheadPath.All.SelectMany(measurement.InWindow).ToList();
        var failed = all.Count(s => !s.Succeeded);
        metrics
            .Add("streams", all.Count, MetricUnit.Count, MetricDirection.HigherIsBetter, "streams started in the windows of every path")
            .Add("failed", failed, MetricUnit.Count, MetricDirection.LowerIsBetter, "refused, broken, cut, error event or invalid audio, every path")
            .Add("error_rate", all.Count == 0 ? 0 : (double)failed / all.Count, MetricUnit.Ratio, MetricDirection.LowerIsBetter, "failed ÷ started, every path")
            .Add("invalid_audio", all.Count(s => s.AudioProblem is not null), MetricUnit.Count, MetricDirection.LowerIsBetter,
                "streams of any path with a bad WAV header or chunk, a seq gap, or a done that disagrees with the audio")
            .Add("hung", all.Count(s => s.Status == StreamStatus.Cut), MetricUnit.Count, MetricDirection.LowerIsBetter,
                "streams still open at the drain timeout after their turn (cut), every path");
        var others = measurement.Turns.Select(t => t.OthersCpu).Where(v => !double.IsNaN(v)).ToList();
        metrics.Add("others_cpu_percent_max", others.Count > 0 ? others.Max() * 100 : double.NaN, MetricUnit.Percent, MetricDirection.Neither,
            "the most of the machine's cores (in percent) that processes outside this run used in any turn's window: high means the figures are the machine's");
        AddProxies(metrics, measurement);
        AddHey(metrics, measurement);
        return metrics;
    }

    private static void AddPath(MetricSet metrics, OverheadMeasurement measurement, OverheadPath path, TimeProvider time)
    {
        var prefix = path.Name + ".";
        var streams = measurement.InWindow(path);
        var statistics = StreamStatistics.AddTo(new MetricSet(), streams, measurement.Window(path), time, prefix);
        if (path.IsRaw)
        {
            StreamStatistics.AddDistribution(metrics, prefix + "ttfa", [.. streams.Where(s => s.FirstAudio is not null).Select(s => s.FirstAudio!.Value)],
                "from sending the request to the first PCM byte after the WAV header", Percentiles);
            StreamStatistics.AddDistribution(metrics, prefix + "first_step", [.. measurement.TurnsOf(path).SelectMany(t => t.FirstSteps)],
                string.Create(CultureInfo.InvariantCulture, $"from sending the request to the first {OverheadSettings.StepBytes} PCM bytes (what the edge's first audio event holds)"),
                FirstStepPercentiles);
            foreach (var metric in statistics.All.Where(m => m.Name.StartsWith(prefix + "total.", StringComparison.Ordinal) || RawStatistics.Contains(m.Name[prefix.Length..])))
            {
                metrics.Add(metric.Name, metric.Value, metric.Unit, metric.Direction, metric.Description);
            }
        }
        else
        {
            foreach (var metric in statistics.All)
            {
                metrics.Add(metric.Name, metric.Value, metric.Unit, metric.Direction, metric.Description);
            }
        }

        var turns = measurement.TurnsOf(path).Where(t => !double.IsNaN(t.RunCpu)).ToList();
        var seconds = turns.Sum(t => t.Window.TotalSeconds);
        double Percent(Func<OverheadTurn, double> share) => seconds > 0 ? turns.Sum(t => share(t) * t.Window.TotalSeconds) / seconds * 100 : double.NaN;
        metrics
            .Add(prefix + "run_cpu_percent", Percent(t => t.RunCpu), MetricUnit.Percent, MetricDirection.LowerIsBetter,
                "the share of all the machine's cores this run's processes (runner with backend, edge, nginx) used in the path's windows, in percent")
            .Add(prefix + "others_cpu_percent", Percent(t => t.OthersCpu), MetricUnit.Percent, MetricDirection.Neither,
                "the share of all the machine's cores every other process used in the path's windows, in percent");
    }

    private static void AddAdded(MetricSet metrics)
    {
        foreach (var q in new[] { "p50", "p99" })
        {
            var direct = metrics.Find($"direct.ttfa.{q}")!.Value;
            var edge = metrics.Find($"edge.ttfa.{q}")!.Value - direct;
            var nginx = metrics.Find($"nginx.ttfa.{q}")!.Value - direct;
            metrics
                .Add($"edge.added_ttfa.{q}", edge, MetricUnit.Milliseconds, MetricDirection.LowerIsBetter, $"edge.ttfa.{q} − direct.ttfa.{q}")
                .Add($"nginx.added_ttfa.{q}", nginx, MetricUnit.Milliseconds, MetricDirection.LowerIsBetter, $"nginx.ttfa.{q} − direct.ttfa.{q}")
                .Add($"edge_minus_nginx.added_ttfa.{q}", edge - nginx, MetricUnit.Milliseconds, MetricDirection.LowerIsBetter,
                    $"edge.added_ttfa.{q} − nginx.added_ttfa.{q} (= edge.ttfa.{q} − nginx.ttfa.{q})");
        }
    }

    private static void AddProxies(MetricSet metrics, OverheadMeasurement measurement)
    {
        var edge = measurement.TurnsOf(OverheadPath.Edge).Where(t => t.ProxyCpu is not null).ToList();
        var cpuSeconds = edge.Sum(t => t.ProxyCpu!.Value.TotalSeconds);
        var windowSeconds = edge.Sum(t => t.Window.TotalSeconds);
        var events = edge.Sum(t => t.InWindow.Sum(s => (long)s.AudioEvents));
        var streams = edge.Sum(t => t.InWindow.Count);
        var rss = measurement.TurnsOf(OverheadPath.Edge).Select(t => t.ProxyPeakMemory).OfType<long>().ToList();
        metrics
            .Add("proxy_cpu_percent", windowSeconds > 0 ? cpuSeconds / windowSeconds * 100 : double.NaN, MetricUnit.Percent, MetricDirection.LowerIsBetter,
                "the edge's CPU time over its windows ÷ those windows (100 = one core busy)")
            .Add("proxy_cpu_us_per_event", events > 0 ? cpuSeconds * 1e6 / events : double.NaN, MetricUnit.Microseconds, MetricDirection.LowerIsBetter,
                "the edge's CPU time over its windows ÷ audio events of those windows' streams, in microseconds")
            .Add("proxy_cpu_ms_per_stream", streams > 0 ? cpuSeconds * 1e3 / streams : double.NaN,
                MetricUnit.Milliseconds, MetricDirection.LowerIsBetter, "the edge's CPU time over its windows ÷ the streams started in them")
            .Add("jit_cpu_percent", JitPercent(measurement), MetricUnit.Percent, MetricDirection.LowerIsBetter,
                "the tiered JIT's CPU time (the edge's and the runner's) over every path's windows ÷ those windows (100 = one core); near 0 once warm")
            .Add("primings", measurement.Primings, MetricUnit.Count, MetricDirection.Neither,
                "priming rounds run before the measured ones, until the JIT was quiet (at most 2 % of a core on every path) or 12 rounds")
            .Add("proxy_rss_peak_mb", rss.Count > 0 ? rss.Max() / (1024.0 * 1024) : double.NaN, MetricUnit.Mebibytes, MetricDirection.LowerIsBetter,
                "the edge's peak resident memory (VmHWM), in MiB")
            .Add("proxy_exited", measurement.ProxyExited ? 1 : 0, MetricUnit.Count, MetricDirection.LowerIsBetter, "1 when the edge's process ended during the run")
            .Add("nginx_exited", measurement.NginxExited ? 1 : 0, MetricUnit.Count, MetricDirection.LowerIsBetter, "1 when nginx ended during the run");
    }

    private static double JitPercent(OverheadMeasurement measurement)
    {
        var turns = measurement.Turns.Where(t => t.JitCpu is not null).ToList();
        var seconds = turns.Sum(t => t.Window.TotalSeconds);
        return seconds > 0 ? turns.Sum(t => t.JitCpu!.Value.TotalSeconds) / seconds * 100 : double.NaN;
    }

    private static void AddHey(MetricSet metrics, OverheadMeasurement measurement)
    {
        var hey = measurement.Hey?.Result;
        // hey prints 0 for a percentile its samples do not reach (p99 of fewer than 100 requests).
        double Percentile(int percent) => hey?.LatencyPercentiles.GetValueOrDefault(percent) is { } value && value > TimeSpan.Zero ? value.TotalMilliseconds : double.NaN;
        var p50 = Percentile(50);
        var p99 = Percentile(99);
        metrics
            .Add("hey.total.p50", p50, MetricUnit.Milliseconds, MetricDirection.LowerIsBetter, "hey's p50 whole-response time of GET /v1/tts/stream through the edge")
            .Add("hey.total.p99", p99, MetricUnit.Milliseconds, MetricDirection.LowerIsBetter, "hey's p99 whole-response time of GET /v1/tts/stream through the edge")
            .Add("hey.requests_per_second", hey?.RequestsPerSecond ?? double.NaN, MetricUnit.RequestsPerSecond, MetricDirection.HigherIsBetter,
                "responses per second over hey's run")
            .Add("crosscheck.total_p50_ratio", p50 / metrics.Find("edge.total.p50")!.Value, MetricUnit.Ratio, MetricDirection.Neither,
                "hey.total.p50 ÷ edge.total.p50: an independent tool's median whole stream over the runner's (about 100 % when they agree)");
    }
}
