using ChatTts.Edge.LoadTests.Load;

namespace ChatTts.Edge.LoadTests.Scenarios.Quotas;

/// <summary>One run: a fresh proxy process in one mode under the closed load.</summary>
/// <param name="Ready">How long the proxy took, once listening, to serve a first stream (tried one at a time).</param>
/// <param name="Window">The wall time from the end of the warm-up to the end of the duration.</param>
/// <param name="WindowStart">Its start as a <see cref="TimeProvider"/> timestamp.</param>
/// <param name="WindowEnd">Its end.</param>
/// <param name="Streams">Every stream of the run, warm-up and drain included.</param>
/// <param name="Redis">What Redis itself spent inside the window (quotas on only).</param>
/// <param name="Drained">Whether the streams under way at the end finished within the drain timeout.</param>
/// <param name="ProxyExited">Whether the proxy process ended by itself during the run.</param>
/// <param name="ProxyOutput">The proxy's latest output lines, kept when something went wrong; otherwise empty.</param>
internal sealed record QuotasRun(
    int Round,
    QuotaMode Mode,
    Readiness Ready,
    TimeSpan Window,
    long WindowStart,
    long WindowEnd,
    IReadOnlyList<StreamOutcome> Streams,
    RedisWindowStats? Redis,
    bool Drained,
    bool ProxyExited,
    string ProxyOutput)
{
    /// <summary>Streams attributed to the window by the time they ended.</summary>
    public IEnumerable<StreamOutcome> InWindow => Streams.Where(s => s.EndedAt >= WindowStart && s.EndedAt <= WindowEnd);

    public int Failed => Streams.Count(s => s.Status != StreamStatus.Done);
}

/// <summary>The tries it took, one stream at a time, until the proxy served a stream with <c>done</c>, and the time.</summary>
internal sealed record Readiness(int Tries, TimeSpan Elapsed);

/// <summary>What one or more runs of a mode measured, taken together.</summary>
/// <param name="Streams">Streams started (whole runs).</param>
/// <param name="Failed">Of those, the ones that did not end with <c>done</c>.</param>
/// <param name="DoneInWindow">Streams that ended with <c>done</c> inside a window.</param>
/// <param name="Window">The windows' total wall time.</param>
/// <param name="InWindow">Streams of any ending inside a window: those whose quota check should have been reported.</param>
/// <param name="QuotaChecks">The <c>Server-Timing</c> quota durations of the streams inside a window.</param>
/// <param name="FirstAudio">Client-side time to the first <c>audio</c> event of the done streams inside a window.</param>
internal sealed record ModeFigures(
    QuotaMode Mode,
    int Streams,
    int Failed,
    int DoneInWindow,
    TimeSpan Window,
    int InWindow,
    IReadOnlyList<TimeSpan> QuotaChecks,
    IReadOnlyList<TimeSpan> FirstAudio)
{
    public double StreamsPerSecond => Window > TimeSpan.Zero ? DoneInWindow / Window.TotalSeconds : 0;

    public static ModeFigures Of(QuotaMode mode, IReadOnlyList<QuotasRun> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var inWindow = runs.SelectMany(r => r.InWindow).ToList();
        var done = inWindow.Where(s => s.Status == StreamStatus.Done).ToList();
        return new ModeFigures(
            mode,
            runs.Sum(r => r.Streams.Count),
            runs.Sum(r => r.Failed),
            done.Count,
            TimeSpan.FromTicks(runs.Sum(r => r.Window.Ticks)),
            inWindow.Count,
            [.. inWindow.Where(s => s.QuotaCheck is not null).Select(s => s.QuotaCheck!.Value)],
            [.. done.Where(s => s.FirstAudio is not null).Select(s => s.FirstAudio!.Value)]);
    }
}

/// <summary>Everything the scenario measured: every run, and each mode's runs together.</summary>
/// <param name="RedisVersion">What <c>redis-server</c> reported at start.</param>
/// <param name="RedisExited">Whether <c>redis-server</c> ended by itself before the last run was over.</param>
internal sealed record QuotasFigures(IReadOnlyList<QuotasRun> Runs, string RedisVersion, bool RedisExited)
{
    public ModeFigures Off { get; } = ModeFigures.Of(QuotaMode.Off, [.. Runs.Where(r => r.Mode == QuotaMode.Off)]);

    public ModeFigures On { get; } = ModeFigures.Of(QuotaMode.On, [.. Runs.Where(r => r.Mode == QuotaMode.On)]);

    /// <summary>Streams/s with Redis quotas ÷ streams/s without, over all rounds.</summary>
    public double ThroughputRatio => Off.StreamsPerSecond > 0 ? On.StreamsPerSecond / Off.StreamsPerSecond : 0;
}
