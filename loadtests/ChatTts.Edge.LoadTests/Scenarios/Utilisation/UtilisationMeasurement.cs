using ChatTts.Edge.LoadTests.Environment;
using ChatTts.Edge.LoadTests.Load;

namespace ChatTts.Edge.LoadTests.Scenarios.Utilisation;

/// <summary>
/// Applies the closed-loop load for the run's duration and reads every GPU's <c>BusyTime</c> when the warm-up ends
/// and when the duration ends. Utilisation is the difference of the two readings over the wall time between them.
/// </summary>
/// <remarks>
/// The emulator counts a synthesis under way up to the moment <c>BusyTime</c> is read, so a stream in flight at
/// either edge of the window adds exactly its share inside the window; what remains is that the readings of the
/// backends are taken one after another (microseconds apart). Stream counts per window are attributed by the
/// time a stream ended, so a stream running across an edge counts in the window only if it ended inside it.
/// </remarks>
internal static class UtilisationMeasurement
{
    public static async Task<UtilisationFigures> RunAsync(
        LocalEnvironment environment, UtilisationSettings settings, ScenarioContext context, CancellationToken cancellationToken)
    {
        var time = context.Time;
        using var http = StreamHttpClient.Create();
        var tally = new LoadTally();
        var begun = time.GetTimestamp();
        await using var load = ClosedLoopLoad.Start(
            settings.Clients, n => settings.StreamUrl(environment.ReplicaAddresses[(int)(n % environment.ReplicaAddresses.Count)]), new SseStreamClient(http, time), tally, time, cancellationToken,
            giveUpAfterAudio: settings.GiveUpAfter);

        await Task.Delay(context.Run.Warmup, time, cancellationToken);
        var (startedAt, busyAtStart) = ReadBusyTimes(environment, time);
        await Task.Delay(Remaining(context.Run.Duration, begun, time), time, cancellationToken);
        var (endedAt, busyAtEnd) = ReadBusyTimes(environment, time);

        var drained = await load.StopAsync(context.Run.DrainTimeout);
        var window = time.GetElapsedTime(startedAt, endedAt);
        var streams = tally.Snapshot();
        var done = streams.Where(s => s.Status == StreamStatus.Done).ToList();
        var backends = environment.Backends.Select((backend, i) => new BackendFigures(
            backend.DestinationId,
            (busyAtEnd[i] - busyAtStart[i]) / window,
            busyAtEnd[i] - busyAtStart[i],
            backend.Emulator.PeakInFlight,
            backend.Emulator.PeakConcurrentSyntheses,
            backend.Emulator.RequestCount,
            backend.Emulator.AbortedCount,
            done.Count(s => s.Backend == backend.DestinationId),
            done.Count(s => s.Backend == backend.DestinationId && s.EndedAt >= startedAt && s.EndedAt <= endedAt)));
        return new UtilisationFigures(window, startedAt, endedAt, [.. backends], streams, drained, environment.ProxyExited);
    }

    private static (long Timestamp, TimeSpan[] Busy) ReadBusyTimes(LocalEnvironment environment, TimeProvider time)
    {
        var busy = environment.Backends.Select(b => b.Emulator.BusyTime).ToArray();
        return (time.GetTimestamp(), busy);
    }

    private static TimeSpan Remaining(TimeSpan duration, long begun, TimeProvider time)
    {
        var remaining = duration - time.GetElapsedTime(begun);
        return remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero;
    }
}
