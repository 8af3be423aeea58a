using ChatTts.Edge.LoadTests.Load;
using ChatTts.Edge.LoadTests.Reporting;

namespace ChatTts.Edge.LoadTests.Scenarios.Overhead;

/// <summary>One path's turn in one round: the streams started after its warm-up, and what the machine did meanwhile.</summary>
/// <param name="InWindow">The streams started after the turn's warm-up, whatever their end.</param>
/// <param name="FirstSteps">Raw paths: each such stream's time to its first step of PCM (see <see cref="RawStreamOutcome"/>).</param>
/// <param name="Window">From the end of the warm-up to the end of the turn's duration.</param>
/// <param name="RunCpu">The share of all the machine's cores (0 to 1; NaN when unknown) this run's processes used over
/// the window: the load generator with the emulated backend, the edge, nginx.</param>
/// <param name="OthersCpu">The share of all cores every other process used over the window.</param>
/// <param name="Drained">Whether every stream ended within the drain timeout.</param>
/// <param name="Timeline">Every stream of the turn, for the HTML report's charts.</param>
/// <param name="PeakInFlight">The most streams open at once.</param>
internal sealed record OverheadTurn(
    OverheadPath Path,
    int Round,
    IReadOnlyList<StreamOutcome> InWindow,
    IReadOnlyList<TimeSpan> FirstSteps,
    TimeSpan Window,
    double RunCpu,
    double OthersCpu,
    bool Drained,
    Timeline Timeline,
    int PeakInFlight)
{
    /// <summary>Edge turns: the proxy's CPU time over the window.</summary>
    public TimeSpan? ProxyCpu { get; init; }

    /// <summary>The tiered JIT's CPU time over the window, the edge's (edge turns) and this process's together: a warm run has
    /// next to none.</summary>
    public TimeSpan? JitCpu { get; init; }

    /// <summary>The JIT's share of one core over the window; NaN when unknown.</summary>
    public double JitShare => JitCpu is { } jit && Window > TimeSpan.Zero ? jit / Window : double.NaN;

    /// <summary>Edge turns: the proxy's peak resident memory, in bytes.</summary>
    public long? ProxyPeakMemory { get; init; }
}
