namespace ChatTts.Edge.TestKit;

/// <summary>
/// A clock whose timers fire a little before they are due, as the operating system's coarse timers do: every timer
/// created on it fires <c>early</c> before each due time (on schedule, not drifting), while clock reads tell the true
/// time. Wraps a <see cref="ManualTimeProvider"/>, so a test still moves time itself.
/// </summary>
internal sealed class EarlyTimers(ManualTimeProvider inner, TimeSpan early) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => inner.GetUtcNow();

    public override long TimestampFrequency => inner.TimestampFrequency;

    public override long GetTimestamp() => inner.GetTimestamp();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        new EarlyTimer(inner.CreateTimer(callback, state, Early(dueTime), period), early);

    private TimeSpan Early(TimeSpan dueTime) => Early(dueTime, early);

    private static TimeSpan Early(TimeSpan dueTime, TimeSpan early) =>
        dueTime == Timeout.InfiniteTimeSpan || dueTime <= early ? dueTime : dueTime - early;

    private sealed class EarlyTimer(ITimer timer, TimeSpan early) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => timer.Change(Early(dueTime, early), period);

        public void Dispose() => timer.Dispose();

        public ValueTask DisposeAsync() => timer.DisposeAsync();
    }
}
