using ChatTts.Edge.Admission;
using ChatTts.Edge.Tests.Infrastructure;

namespace ChatTts.Edge.Tests.Admission;

public sealed class DrainRateTests
{
    [Fact]
    public void EstimateWait_BeforeAnyMeasurement_AssumesTheInitialServiceTimePerSlot()
    {
        var drain = new DrainRate(new ManualTimeProvider());

        // Three slots, each freeing every 2 s: the sixth in line waits two rounds.
        Assert.Equal(TimeSpan.FromSeconds(4), drain.EstimateWait(6, capacity: 3));
    }

    [Fact]
    public void EstimateWait_WithRecentReleases_UsesTheMeasuredRate()
    {
        var time = new ManualTimeProvider();
        var drain = new DrainRate(time);

        for (var i = 0; i < 10; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(500)); // a slot frees twice a second
            drain.Released(TimeSpan.FromSeconds(1.5));
        }

        Assert.Equal(2.0, drain.PerSecond(capacity: 3), precision: 6);
        Assert.Equal(TimeSpan.FromSeconds(2), drain.EstimateWait(4, capacity: 3));
    }

    [Fact]
    public void RetryAfter_IsTheWaitOfOneMorePlace_BoundedToAMinute()
    {
        var time = new ManualTimeProvider();
        var drain = new DrainRate(time);

        Assert.Equal(TimeSpan.FromSeconds(1), drain.RetryAfter(queueLength: 0, capacity: 3)); // 2/3 s, at least 1 s
        Assert.Equal(TimeSpan.FromSeconds(8), drain.RetryAfter(queueLength: 11, capacity: 3));
        Assert.Equal(TimeSpan.FromSeconds(60), drain.RetryAfter(queueLength: 1000, capacity: 1));
    }
}
