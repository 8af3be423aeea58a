namespace ChatTts.Edge.LoadTests.Load;

/// <summary>
/// Live counters of a run, fed by every stream as it goes: audio events per second of the run (for the throughput
/// chart), streams in flight, started, ended and failed (for the progress line). Thread-safe and lock-free.
/// </summary>
internal sealed class LoadMeter(TimeProvider time, TimeSpan longestRun)
{
    private readonly long _started = time.GetTimestamp();
    private readonly int[] _audioPerSecond = new int[(int)Math.Ceiling(longestRun.TotalSeconds) + 1];
    private int _inFlight;
    private int _peakInFlight;
    private int _streams;
    private int _ended;
    private int _failed;
    private long _audioEvents;

    /// <summary>Since the meter was made (the load's start).</summary>
    public TimeSpan Elapsed => time.GetElapsedTime(_started);

    /// <summary>The meter's start as a <see cref="TimeProvider"/> timestamp.</summary>
    public long StartedAt => _started;

    public int InFlight => Volatile.Read(ref _inFlight);

    public int PeakInFlight => Volatile.Read(ref _peakInFlight);

    public int Streams => Volatile.Read(ref _streams);

    public int Ended => Volatile.Read(ref _ended);

    public int Failed => Volatile.Read(ref _failed);

    public long AudioEvents => Interlocked.Read(ref _audioEvents);

    public void StreamStarted()
    {
        Interlocked.Increment(ref _streams);
        var now = Interlocked.Increment(ref _inFlight);
        var peak = Volatile.Read(ref _peakInFlight);
        while (now > peak && Interlocked.CompareExchange(ref _peakInFlight, now, peak) is var seen && seen != peak)
        {
            peak = seen;
        }
    }

    public void StreamEnded(bool succeeded)
    {
        Interlocked.Decrement(ref _inFlight);
        Interlocked.Increment(ref _ended);
        if (!succeeded)
        {
            Interlocked.Increment(ref _failed);
        }
    }

    public void AudioEvent()
    {
        Interlocked.Increment(ref _audioEvents);
        var second = (int)Elapsed.TotalSeconds;
        if (second < _audioPerSecond.Length)
        {
            Interlocked.Increment(ref _audioPerSecond[second]);
        }
    }

    /// <summary>Audio events received in each whole second of the run so far.</summary>
    public IReadOnlyList<int> AudioEventsPerSecond()
    {
        var seconds = Math.Min((int)Math.Ceiling(Elapsed.TotalSeconds), _audioPerSecond.Length);
        return _audioPerSecond.AsSpan(0, seconds).ToArray();
    }
}
