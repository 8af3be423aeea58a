using ChatTts.Edge.Quotas;
using ChatTts.Edge.Tests.Infrastructure;

namespace ChatTts.Edge.Tests.Quotas;

/// <summary>The in-process store: the default for single instances and the per-replica fallback while Redis is down.</summary>
public sealed class MemoryQuotaStoreTests
{
    [Fact]
    public async Task Acquire_EnforcesBurstCharactersAndStreams_AndReleaseRefunds()
    {
        var time = new ManualTimeProvider();
        using var store = new MemoryQuotaStore(time);
        var caller = new QuotaAccount("alice", new QuotaPlan { RequestsPerMinute = 1, Burst = 3, CharactersPerDay = 100, ConcurrentStreams = 2 });

        var first = await store.AcquireAsync(Charge(caller, 40), CancellationToken.None);
        var second = await store.AcquireAsync(Charge(caller, 40), CancellationToken.None);
        var overStreams = await store.AcquireAsync(Charge(caller, 10), CancellationToken.None);
        await store.ReleaseAsync(second.Lease!, refundCharacters: true, CancellationToken.None);
        var overCharacters = await store.AcquireAsync(Charge(caller, 61), CancellationToken.None);
        var third = await store.AcquireAsync(Charge(caller, 60), CancellationToken.None);
        await store.ReleaseAsync(third.Lease!, refundCharacters: false, CancellationToken.None);
        var overRate = await store.AcquireAsync(Charge(caller, 0), CancellationToken.None);

        Assert.True(first.Allowed);
        Assert.True(second.Allowed);
        Assert.Equal(QuotaLimit.Concurrency, overStreams.Refused);
        Assert.Equal(QuotaLimit.Characters, overCharacters.Refused);
        Assert.True(third.Allowed);
        Assert.Equal(100, third.Usage.CharactersUsed);
        Assert.Equal(QuotaLimit.Rate, overRate.Refused);
        Assert.True(overRate.RetryAfter > TimeSpan.Zero);
        var usage = await store.GetUsageAsync(caller, CancellationToken.None);
        Assert.Equal(1, usage.ActiveStreams);
        Assert.Equal(100, usage.CharactersUsed);
    }

    [Fact]
    public async Task Characters_NewUtcDay_StartsFromZero()
    {
        var time = new ManualTimeProvider();
        using var store = new MemoryQuotaStore(time);
        var caller = new QuotaAccount("alice", new QuotaPlan { CharactersPerDay = 10 });

        Assert.True((await store.AcquireAsync(Charge(caller, 10), CancellationToken.None)).Allowed);
        Assert.Equal(QuotaLimit.Characters, (await store.AcquireAsync(Charge(caller, 1), CancellationToken.None)).Refused);
        time.Advance(TimeSpan.FromDays(1));

        Assert.True((await store.AcquireAsync(Charge(caller, 10), CancellationToken.None)).Allowed);
    }

    private static QuotaCharge Charge(QuotaAccount caller, long characters) => new(caller, characters, Guid.NewGuid().ToString("N"), TimeSpan.FromSeconds(30));
}
