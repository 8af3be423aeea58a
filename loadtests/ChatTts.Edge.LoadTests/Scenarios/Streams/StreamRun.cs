using ChatTts.Edge.LoadTests.Environment;
using ChatTts.Edge.LoadTests.Load;
using ChatTts.Edge.LoadTests.Metrics;
using ChatTts.Edge.LoadTests.Reporting;

namespace ChatTts.Edge.LoadTests.Scenarios.Streams;

/// <summary>What one load run measured: every stream, the window's streams and metrics, the chart data, and the
/// proxy's own CPU time and memory when it ran locally.</summary>
internal sealed record StreamRunResult(
    IReadOnlyList<StreamOutcome> Streams,
    IReadOnlyList<StreamOutcome> InWindow,
    MetricSet Metrics,
    Timeline Timeline,
    bool Drained,
    int Dropped,
    int PeakInFlight);

/// <summary>
/// Applies a stream scenario's load (closed or open model) to a proxy for the run's duration, with live progress,
/// then lets the streams under way finish and computes the metrics of the measurement window. When the proxy is a
/// local process it also samples its CPU time over the window and its resident memory throughout.
/// </summary>
internal static class StreamRun
{
    /// <param name="proxy">The proxy's base URL.</param>
    /// <param name="proxyProcessId">The local proxy's process id; null for a remote target.</param>
    /// <param name="duringRun">Called once the warm-up is over (e.g. the failover scenario kills a backend in it).</param>
    public static async Task<StreamRunResult> RunAsync(
        StreamSettings settings, Uri proxy, int? proxyProcessId, ScenarioContext context, CancellationToken cancellationToken,
        Func<TimeSpan, CancellationToken, Task>? duringRun = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(context);
        var time = context.Time;
        var run = context.Run;
        using var http = StreamHttpClient.Create(settings.MostStreams);
        var tally = new LoadTally();
        var meter = new LoadMeter(time, run.Duration + run.DrainTimeout + TimeSpan.FromMinutes(1));
        var client = new SseStreamClient(http, time, meter, settings.Headers, settings.Profile.Http2);
        var profile = settings.Profile;
        Uri Url(long number) => settings.StreamUrl(proxy, number);

        using var memory = proxyProcessId is { } pid ? MemorySampler.Start(pid, time) : null;
        int dropped;
        bool drained;
        ProxyCpuReading cpuAtWindowStart = default, cpuAtWindowEnd = default;
        long windowStart, windowEnd;
        await using (var progress = ProgressLine.Start(profile.Name, meter, run.Duration, context.Output, context.Interactive, time))
        {
            if (profile.IsOpenModel)
            {
                var shape = new OpenLoadShape(profile.StartRate, profile.Rate, profile.Ramp, profile.MaxInFlight);
                await using var open = OpenLoad.Start(shape, Url, client, tally, time, cancellationToken);
                (windowStart, windowEnd, cpuAtWindowStart, cpuAtWindowEnd) = await ApplyAsync(proxyProcessId, context, duringRun, cancellationToken);
                drained = await open.StopAsync(run.DrainTimeout);
                dropped = open.Dropped;
            }
            else
            {
                await using var closed = ClosedLoopLoad.Start(profile.Clients, Url, client, tally, time, cancellationToken, rampUp: profile.Ramp);
                (windowStart, windowEnd, cpuAtWindowStart, cpuAtWindowEnd) = await ApplyAsync(proxyProcessId, context, duringRun, cancellationToken);
                drained = await closed.StopAsync(profile.HoldOpen ? TimeSpan.Zero : run.DrainTimeout);
                dropped = 0;
            }
        }

        var peakMemory = memory is null ? null : await memory.StopAsync();
        var streams = tally.Snapshot();
        var hung = streams.Count(s => s.Status == StreamStatus.Cut);
        if (profile.HoldOpen)
        {
            // Cut on purpose at the end: alive when its audio still flowed, hung when it had gone quiet.
            // Quiet for longer than StallAfter: since its last audio, or since its request when none came yet.
            bool Alive(StreamOutcome s) => time.GetElapsedTime(s.StartedAt, s.EndedAt) - (s.LastAudio ?? TimeSpan.Zero) <= StreamProfile.StallAfter;
            hung = streams.Count(s => s.Status == StreamStatus.Cut && !Alive(s));
            streams = [.. streams.Select(s => s.Status == StreamStatus.Cut && Alive(s) ? s with { Status = StreamStatus.Done, Failure = null } : s)];
        }

        // Streams held open all start in the ramp, which the warm-up covers; their figures are those of every stream.
        var inWindow = profile.HoldOpen ? streams : StreamStatistics.InWindow(streams, meter.StartedAt, run.Warmup, time);
        var window = time.GetElapsedTime(windowStart, windowEnd);
        var metrics = StreamStatistics.AddTo(new MetricSet(), inWindow, window, time);
        metrics
            .Add("hung", hung, MetricUnit.Count, MetricDirection.LowerIsBetter, profile.HoldOpen
                ? $"streams open at the end whose last audio was over {StreamProfile.StallAfter.TotalSeconds:0} s old"
                : "streams still open at the drain timeout after the run (cut)")
            .Add("dropped", dropped, MetricUnit.Count, MetricDirection.LowerIsBetter, "open model: arrivals not sent because too many streams were open")
            .Add("peak_in_flight", meter.PeakInFlight, MetricUnit.Count, MetricDirection.HigherIsBetter, "the most streams open at once");
        if (cpuAtWindowStart.Cpu is { } cpuStart && cpuAtWindowEnd.Cpu is { } cpuEnd)
        {
            var cpu = cpuEnd - cpuStart;
            var events = inWindow.Sum(s => (long)s.AudioEvents);
            metrics
                .Add("proxy_cpu_percent", cpu / window * 100, MetricUnit.Percent, MetricDirection.LowerIsBetter,
                    "the proxy's CPU time over the window ÷ the window (100 = one core busy)")
                .Add("proxy_cpu_us_per_event", events == 0 ? double.NaN : cpu.TotalMicroseconds / events, MetricUnit.Microseconds, MetricDirection.LowerIsBetter,
                    "the proxy's CPU time over the window ÷ audio events of the window's streams, in microseconds");
            if (cpuAtWindowStart.Jit is { } jitStart && cpuAtWindowEnd.Jit is { } jitEnd)
            {
                metrics.Add("proxy_jit_cpu_percent", (jitEnd - jitStart) / window * 100, MetricUnit.Percent, MetricDirection.LowerIsBetter,
                    "the proxy's tiered JIT (re-compiling hot code in the background) over the window ÷ the window: a proxy still warming up when well above 0");
            }
        }

        if (peakMemory is { } peak)
        {
            metrics.Add("proxy_rss_peak_mb", peak / (1024.0 * 1024), MetricUnit.Mebibytes, MetricDirection.LowerIsBetter,
                "the proxy's peak resident memory (VmHWM), in MiB");
        }

        var timeline = StreamStatistics.Timeline(streams, meter.StartedAt, run.Warmup, run.Duration, meter, time, inWindow);
        return new StreamRunResult(streams, inWindow, metrics, timeline, drained, dropped, meter.PeakInFlight);
    }

    /// <summary>The metric names a run will have, for checking threshold names before anything starts.</summary>
    public static IReadOnlyCollection<string> MetricNames(bool local)
    {
        var names = StreamStatistics.AddTo(new MetricSet(), [], TimeSpan.FromSeconds(1), TimeProvider.System).All.Select(m => m.Name).ToList();
        names.AddRange(["hung", "dropped", "peak_in_flight"]);
        if (local)
        {
            names.AddRange(["proxy_cpu_percent", "proxy_cpu_us_per_event", "proxy_jit_cpu_percent", "proxy_rss_peak_mb", "proxy_exited"]);
        }

        return names;
    }

    private static async Task<(long WindowStart, long WindowEnd, ProxyCpuReading CpuStart, ProxyCpuReading CpuEnd)> ApplyAsync(
        int? proxyProcessId, ScenarioContext context, Func<TimeSpan, CancellationToken, Task>? duringRun, CancellationToken cancellationToken)
    {
        var time = context.Time;
        var begun = time.GetTimestamp();
        await Task.Delay(context.Run.Warmup, time, cancellationToken);
        var windowStart = time.GetTimestamp();
        using var jit = proxyProcessId is { } id ? JitSampler.Start(id, time) : null;
        var cpuStart = ProxyCpuReading.Read(proxyProcessId, jit);
        var rest = context.Run.Duration - time.GetElapsedTime(begun);
        var during = duringRun?.Invoke(rest, cancellationToken) ?? Task.CompletedTask;
        await Task.Delay(rest > TimeSpan.Zero ? rest : TimeSpan.Zero, time, cancellationToken);
        await during;
        var cpuEnd = ProxyCpuReading.Read(proxyProcessId, jit);
        return (windowStart, time.GetTimestamp(), cpuStart, cpuEnd);
    }

    /// <summary>The proxy's CPU time and its tiered JIT's, at one moment (nulls when unknown).</summary>
    private readonly record struct ProxyCpuReading(TimeSpan? Cpu, TimeSpan? Jit)
    {
        public static ProxyCpuReading Read(int? processId, JitSampler? jit) =>
            processId is { } pid ? new(ProcessStats.CpuTime(pid), jit?.Read()) : default;
    }
}

/// <summary>Samples a process's resident memory twice a second, keeping the peak (VmHWM is the kernel's own peak;
/// sampling also covers a process that is replaced).</summary>
internal sealed class MemorySampler : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task<long?> _loop;

    private MemorySampler(int processId, TimeProvider time) => _loop = LoopAsync(processId, time);

    public static MemorySampler Start(int processId, TimeProvider time) => new(processId, time);

    public async Task<long?> StopAsync()
    {
        await _stop.CancelAsync();
        return await _loop;
    }

    public void Dispose() => _stop.Dispose();

    private async Task<long?> LoopAsync(int processId, TimeProvider time)
    {
        long? peak = null;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(500), time);
        try
        {
            do
            {
                if (ProcessStats.ResidentMemory(processId) is { } memory)
                {
                    peak = Math.Max(peak ?? 0, memory.Peak);
                }
            }
            while (await timer.WaitForNextTickAsync(_stop.Token));
        }
        catch (OperationCanceledException)
        {
        }

        return ProcessStats.ResidentMemory(processId) is { } last ? Math.Max(peak ?? 0, last.Peak) : peak;
    }
}
