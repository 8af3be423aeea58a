using ChatTts.Edge.LoadTests.Load;
using ChatTts.Edge.LoadTests.Metrics;
using ChatTts.Edge.LoadTests.Scenarios.Streams;

namespace ChatTts.Edge.LoadTests.Scenarios.Failover;

/// <summary>
/// Every stream of a failover run placed against the kill. A stream was <em>on the killed backend at the kill</em>
/// when that backend had received its request (its text, which carries the stream's number, is in the backend's
/// records) and the stream was open when the backend died. Only those streams may fail: a failure anywhere else, or
/// of any stream started after the kill, is an error of the proxy's failover. Every stream of the run counts, the
/// warm-up's too (a failure is a failure whenever it starts).
/// </summary>
/// <param name="KilledAt">When the backend died, since the load started.</param>
/// <param name="Streams">Every stream of the run.</param>
/// <param name="OnKilledBackend">The numbers of the streams on the killed backend at the kill.</param>
/// <param name="LoadStarted">The load's start, as a <see cref="TimeProvider"/> timestamp.</param>
/// <param name="KillTimestamp">The kill, as a <see cref="TimeProvider"/> timestamp.</param>
internal sealed record FailoverFigures(
    TimeSpan KilledAt,
    IReadOnlyList<StreamOutcome> Streams,
    IReadOnlySet<long> OnKilledBackend,
    long LoadStarted,
    long KillTimestamp,
    int RequestsToKilledBackend)
{
    /// <summary>The metric names <see cref="AddTo"/> adds, for checking thresholds before the run.</summary>
    public static IReadOnlyCollection<string> MetricNames { get; } =
        [.. new FailoverFigures(TimeSpan.Zero, [], new HashSet<long>(), 0, 0, 0).AddTo(new MetricSet()).All.Select(m => m.Name)];

    /// <summary>Streams open when the backend died (started before, ended after), whichever backend they were on.</summary>
    public IReadOnlyList<StreamOutcome> InFlightAtKill => [.. Streams.Where(s => s.StartedAt <= KillTimestamp && s.EndedAt >= KillTimestamp).OrderBy(s => s.Number)];

    /// <summary>Every stream that did not end with <c>done</c> and valid audio, in the order they started.</summary>
    public IReadOnlyList<StreamOutcome> Failed => [.. Streams.Where(s => !s.Succeeded).OrderBy(s => s.StartedAt)];

    /// <summary>Streams started once the backend was dead.</summary>
    public IReadOnlyList<StreamOutcome> AfterKill => [.. Streams.Where(s => s.StartedAt > KillTimestamp)];

    public static FailoverFigures Of(IReadOnlyList<StreamOutcome> streams, StreamSettings settings, BackendKill kill, long loadStarted, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(streams);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(kill);
        ArgumentNullException.ThrowIfNull(time);
        var killedAt = kill.KilledAt ?? throw new InvalidOperationException("The backend was never killed: the run ended before the kill was due.");
        var received = kill.ReceivedTexts;
        var on = streams
            .Where(s => s.StartedAt <= killedAt && s.EndedAt >= killedAt && received.Contains(settings.TextOf(s.Number)))
            .Select(s => s.Number)
            .ToHashSet();
        return new FailoverFigures(time.GetElapsedTime(loadStarted, killedAt), streams, on, loadStarted, killedAt, kill.RequestsBeforeKill);
    }

    public bool IsOnKilledBackend(StreamOutcome stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return OnKilledBackend.Contains(stream.Number);
    }

    public MetricSet AddTo(MetricSet metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var failed = Failed;
        var after = AfterKill;
        return metrics
            .Add("errors_off_the_killed_backend", failed.Count(s => !IsOnKilledBackend(s)), MetricUnit.Count, MetricDirection.LowerIsBetter,
                "failed streams that were not on the killed backend at the kill (the whole run, warm-up included)")
            .Add("errors_on_the_killed_backend", failed.Count(IsOnKilledBackend), MetricUnit.Count, MetricDirection.LowerIsBetter,
                "failed streams that were on the killed backend at the kill (expected: cut mid-audio, an error event)")
            .Add("on_the_killed_backend_at_kill", OnKilledBackend.Count, MetricUnit.Count, MetricDirection.Neither,
                "streams the killed backend had received and that were open when it died")
            .Add("streams_after_kill", after.Count, MetricUnit.Count, MetricDirection.HigherIsBetter, "streams started after the kill")
            .Add("streams_after_kill_ok", after.Count(s => s.Succeeded), MetricUnit.Count, MetricDirection.HigherIsBetter,
                "streams started after the kill that ended with done and valid audio")
            .Add("streams_after_kill_failed", after.Count(s => !s.Succeeded), MetricUnit.Count, MetricDirection.LowerIsBetter,
                "streams started after the kill that failed (each is also an error off the killed backend)")
            .Add("killed_backend_requests", RequestsToKilledBackend, MetricUnit.Count, MetricDirection.Neither,
                "synthesis requests the killed backend received before it died");
    }
}
