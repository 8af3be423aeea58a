using ChatTts.Edge.LoadTests.Load;

namespace ChatTts.Edge.LoadTests.Scenarios.Utilisation;

/// <summary>Everything one run measured.</summary>
/// <param name="Window">The wall time between the two readings of the busy times.</param>
/// <param name="WindowStart">The first reading's <see cref="TimeProvider"/> timestamp.</param>
/// <param name="WindowEnd">The second reading's timestamp.</param>
/// <param name="Streams">Every stream of the run, warm-up and drain included.</param>
/// <param name="Drained">Whether the streams under way at the end finished within the drain timeout.</param>
/// <param name="ProxyExited">Whether the proxy process ended by itself during the run.</param>
internal sealed record UtilisationFigures(
    TimeSpan Window,
    long WindowStart,
    long WindowEnd,
    IReadOnlyList<BackendFigures> Backends,
    IReadOnlyList<StreamOutcome> Streams,
    bool Drained,
    bool ProxyExited)
{
    public bool InWindow(StreamOutcome stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return stream.EndedAt >= WindowStart && stream.EndedAt <= WindowEnd;
    }
}

/// <summary>One emulated GPU's figures.</summary>
/// <param name="Utilisation">Busy time in the window ÷ the window's wall time.</param>
/// <param name="Busy">Time the GPU was held during the window.</param>
/// <param name="PeakInFlight">The most synthesis requests it ever had at once, waiting or running (whole run).</param>
/// <param name="PeakSyntheses">The most syntheses it ever computed at once (whole run).</param>
/// <param name="Syntheses">Synthesis requests it received (whole run).</param>
/// <param name="Aborted">Syntheses cut short because the proxy went away (whole run).</param>
/// <param name="StreamsDone">Streams whose <c>done</c> named it (whole run).</param>
/// <param name="StreamsDoneInWindow">Of those, the ones that ended inside the window.</param>
internal sealed record BackendFigures(
    string DestinationId,
    double Utilisation,
    TimeSpan Busy,
    int PeakInFlight,
    int PeakSyntheses,
    int Syntheses,
    int Aborted,
    int StreamsDone,
    int StreamsDoneInWindow);
