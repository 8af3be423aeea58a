namespace ChatTts.Edge.Admission;

/// <summary>
/// Estimates how fast the fleet frees GPU slots, to tell waiting clients how long they will wait and refused
/// ones when to come back. Uses the releases seen in the last <see cref="AdmissionDefaults.DrainWindow"/> when
/// there are enough, otherwise the fleet's capacity divided by the mean synthesis time.
/// </summary>
internal sealed class DrainRate(TimeProvider time)
{
    private const int MinReleasesForMeasuredRate = 4;
    private const double ServiceTimeSmoothing = 0.2;

    private readonly Lock _lock = new();
    private readonly long[] _releases = new long[64];
    private int _next;
    private int _count;
    private double _meanServiceSeconds = AdmissionDefaults.InitialServiceTime.TotalSeconds;

    /// <summary>Records a slot given back after being held for <paramref name="held"/>.</summary>
    public void Released(TimeSpan held)
    {
        lock (_lock)
        {
            _releases[_next] = time.GetTimestamp();
            _next = (_next + 1) % _releases.Length;
            _count = Math.Min(_count + 1, _releases.Length);
            _meanServiceSeconds += ServiceTimeSmoothing * (held.TotalSeconds - _meanServiceSeconds);
        }
    }

    /// <summary>Slots freed per second, for a fleet of <paramref name="capacity"/> slots.</summary>
    public double PerSecond(int capacity)
    {
        lock (_lock)
        {
            var recent = 0;
            var oldest = TimeSpan.Zero;
            for (var i = 0; i < _count; i++)
            {
                var age = time.GetElapsedTime(_releases[i]);
                if (age <= AdmissionDefaults.DrainWindow)
                {
                    recent++;
                    oldest = age > oldest ? age : oldest;
                }
            }

            if (recent >= MinReleasesForMeasuredRate && oldest > TimeSpan.Zero)
            {
                // The intervals between the releases, over the time since the oldest: a fleet that stops draining
                // sees its rate fall as time passes.
                return (recent - 1) / oldest.TotalSeconds;
            }

            return Math.Max(capacity, 1) / Math.Max(_meanServiceSeconds, 0.001);
        }
    }

    /// <summary>The expected wait of the request at 1-based <paramref name="position"/> in the queue.</summary>
    public TimeSpan EstimateWait(int position, int capacity) => TimeSpan.FromSeconds(position / PerSecond(capacity));

    /// <summary>When a refused request should come back: the wait of one more place in the queue, bounded.</summary>
    public TimeSpan RetryAfter(int queueLength, int capacity) =>
        TimeSpan.FromTicks(Math.Clamp(
            EstimateWait(queueLength + 1, capacity).Ticks,
            AdmissionDefaults.MinRetryAfter.Ticks,
            AdmissionDefaults.MaxRetryAfter.Ticks));
}
