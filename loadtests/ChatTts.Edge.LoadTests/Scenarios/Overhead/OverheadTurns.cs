using ChatTts.Edge.LoadTests.Environment;
using ChatTts.Edge.LoadTests.Load;
using ChatTts.Edge.LoadTests.Metrics;
using ChatTts.Edge.LoadTests.Reporting;
using ChatTts.Edge.LoadTests.Scenarios.Streams;

namespace ChatTts.Edge.LoadTests.Scenarios.Overhead;

/// <summary>
/// Runs one path's turn, the same way for every path: a closed loop of the scenario's clients for the turn's duration
/// (<c>context.Run</c> is the turn's share of the run), the streams started in its warm-up left out, the machine's CPU
/// read at both ends of the window, then the streams under way let finish.
/// </summary>
/// <remarks>The edge's turn is <see cref="StreamRun"/>'s load (<see cref="ClosedLoopLoad"/> of <see cref="SseStreamClient"/>)
/// but with this scenario's request texts, which repeat so the emulated backend synthesises each one once.</remarks>
internal static class OverheadTurns
{
    /// <summary>The edge's turn: <c>GET /v1/tts/stream</c>, every SSE stream read to its end and every audio event checked.</summary>
    public static async Task<OverheadTurn> EdgeAsync(
        int round, string label, OverheadSettings settings, Uri proxy, int proxyProcessId, ScenarioContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(context);
        var (time, run) = (context.Time, context.Run);
        using var http = StreamHttpClient.Create(settings.Clients);
        var meter = new LoadMeter(time, run.Duration + run.DrainTimeout + TimeSpan.FromMinutes(1));
        var tally = new LoadTally();
        var client = new SseStreamClient(http, time, meter);
        var stream = settings.Stream;
        using var memory = MemorySampler.Start(proxyProcessId, time);
        Window window;
        await using (var load = ClosedLoopLoad.Start(settings.Clients, n => stream.StreamUrl(proxy, OverheadSettings.TextNumber(n)), client, tally, time,
            cancellationToken, rampUp: OverheadSettings.Ramp(run.Warmup)))
        {
            window = await ApplyAsync(label, meter, context, proxyProcessId, load.StopAsync, cancellationToken);
        }

        var peakMemory = await memory.StopAsync();
        var streams = tally.Snapshot();
        return new OverheadTurn(OverheadPath.Edge, round, StreamStatistics.InWindow(streams, meter.StartedAt, run.Warmup, time), [],
            window.Length, window.RunCpu, window.OthersCpu, window.Drained,
            StreamStatistics.Timeline(streams, meter.StartedAt, run.Warmup, run.Duration, meter, time), meter.PeakInFlight)
        {
            ProxyCpu = window.ProxyCpu,
            JitCpu = window.JitCpu,
            ProxyPeakMemory = peakMemory,
        };
    }

    /// <summary>A raw path's turn: <see cref="RawClosedLoop"/> posting to <paramref name="speechUrl"/>.</summary>
    public static async Task<OverheadTurn> RawAsync(
        OverheadPath path, int round, string label, OverheadSettings settings, Uri speechUrl, ScenarioContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(context);
        var (time, run) = (context.Time, context.Run);
        using var http = StreamHttpClient.Create(settings.Clients);
        var meter = new LoadMeter(time, run.Duration + run.DrainTimeout + TimeSpan.FromMinutes(1));
        var client = new RawStreamClient(http, time, meter);
        var stream = settings.Stream;
        Window window;
        IReadOnlyList<RawStreamOutcome> outcomes;
        await using (var load = RawClosedLoop.Start(settings.Clients, speechUrl, n => stream.TextOf(OverheadSettings.TextNumber(n)), client, time,
            OverheadSettings.Ramp(run.Warmup), cancellationToken))
        {
            window = await ApplyAsync(label, meter, context, proxyProcessId: null, load.StopAsync, cancellationToken);
            outcomes = load.Outcomes();
        }

        // The window's rule of every scenario: the streams started after the warm-up (StreamStatistics.InWindow).
        var inWindow = outcomes.Where(o => time.GetElapsedTime(meter.StartedAt, o.Stream.StartedAt) >= run.Warmup).ToList();
        var streams = outcomes.Select(o => o.Stream).ToList();
        return new OverheadTurn(path, round, [.. inWindow.Select(o => o.Stream)], [.. inWindow.Where(o => o.FirstStep is not null).Select(o => o.FirstStep!.Value)],
            window.Length, window.RunCpu, window.OthersCpu, window.Drained,
            StreamStatistics.Timeline(streams, meter.StartedAt, run.Warmup, run.Duration, meter, time), meter.PeakInFlight)
        {
            JitCpu = window.JitCpu,
        };
    }

    /// <summary>Asks the backend for every text once (<see cref="OverheadSettings.DistinctTexts"/>, all at once), so its
    /// cache holds them all before any path is loaded: no turn pays for the synthesis.</summary>
    public static async Task FillBackendCacheAsync(OverheadSettings settings, Uri speechUrl, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        using var http = StreamHttpClient.Create(OverheadSettings.DistinctTexts);
        var client = new RawStreamClient(http, time, new LoadMeter(time, TimeSpan.FromMinutes(5)));
        var stream = settings.Stream;
        var options = new ParallelOptions { MaxDegreeOfParallelism = OverheadSettings.DistinctTexts, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(Enumerable.Range(0, OverheadSettings.DistinctTexts), options, async (text, token) =>
            await client.RunAsync(speechUrl, stream.TextOf(text), token));
    }

    /// <summary>Lets the started load run through the warm-up and the window, with live progress, then stops it.</summary>
    private static async Task<Window> ApplyAsync(
        string label, LoadMeter meter, ScenarioContext context, int? proxyProcessId, Func<TimeSpan, Task<bool>> stopAsync, CancellationToken cancellationToken)
    {
        var (time, run) = (context.Time, context.Run);
        await using var progress = ProgressLine.Start(label, meter, run.Duration, context.Output, context.Interactive, time);
        using var runnerJit = JitSampler.Start(System.Environment.ProcessId, time);
        using var proxyJit = proxyProcessId is { } id ? JitSampler.Start(id, time) : null;
        await Task.Delay(run.Warmup, time, cancellationToken);
        var (cpuStart, proxyStart, jitStart, windowStart) = (MachineCpu.Read(), ProxyCpu(proxyProcessId), JitCpu(runnerJit, proxyJit), time.GetTimestamp());
        var rest = run.Duration - meter.Elapsed;
        await Task.Delay(rest > TimeSpan.Zero ? rest : TimeSpan.Zero, time, cancellationToken);
        var (cpuEnd, proxyEnd, jitEnd, windowEnd) = (MachineCpu.Read(), ProxyCpu(proxyProcessId), JitCpu(runnerJit, proxyJit), time.GetTimestamp());
        var drained = await stopAsync(run.DrainTimeout);
        var window = time.GetElapsedTime(windowStart, windowEnd);
        var (ours, others) = MachineCpu.Shares(cpuStart, cpuEnd, window);
        return new Window(window, ours, others, proxyEnd - proxyStart, jitEnd - jitStart, drained);
    }

    private static TimeSpan? ProxyCpu(int? processId) => processId is { } pid ? ProcessStats.CpuTime(pid) : null;

    /// <summary>The tiered JIT's CPU time of the edge and of this process (whose SSE and raw clients warm up too).</summary>
    private static TimeSpan? JitCpu(JitSampler? runner, JitSampler? proxy) => runner?.Read() + (proxy?.Read() ?? TimeSpan.Zero);

    private readonly record struct Window(TimeSpan Length, double RunCpu, double OthersCpu, TimeSpan? ProxyCpu, TimeSpan? JitCpu, bool Drained);
}
