using System.Diagnostics;
using ChatTts.Edge.Quotas;
using ChatTts.Edge.Tests.Infrastructure;
using ChatTts.Edge.Redis;

namespace ChatTts.Edge.Tests.Quotas;

/// <summary>The Lua scripts' arithmetic, run by a real redis-server (its own clock).</summary>
public sealed class RedisQuotaScriptTests : IAsyncLifetime, IDisposable
{
    // Redis answers in whole milliseconds.
    private static readonly TimeSpan Rounding = TimeSpan.FromMilliseconds(1);

    private RedisServer _redis = null!;
    private RedisConnection _connection = null!;
    private RedisQuotaStore _store = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _connection = new RedisConnection(new RedisSettings(_redis.Configuration, TimeSpan.FromSeconds(5)), TimeProvider.System);
        _store = new RedisQuotaStore(_connection);
        await _connection.ConnectAsync();
    }

    public async Task DisposeAsync() => await _redis.DisposeAsync();

    public void Dispose() => _connection.Dispose();

    [Fact]
    public async Task Rate_BurstOfFiveAtFivePerMinute_AdmitsFiveThenRefusesWithTheTimeToTheNextSlot()
    {
        var caller = Caller(new QuotaPlan { RequestsPerMinute = 5, Burst = 5 });

        var decisions = new List<QuotaDecision>();
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < 7; i++)
        {
            decisions.Add(await _store.AcquireAsync(Charge(caller), CancellationToken.None));
        }

        var took = Stopwatch.GetElapsedTime(started);

        Assert.All(decisions.Take(5), d => Assert.True(d.Allowed));
        Assert.Equal([4L, 3L, 2L, 1L, 0L], decisions.Take(5).Select(d => d.Usage.RateRemaining!.Value));
        Assert.All(decisions.Skip(5), d =>
        {
            Assert.Equal(QuotaLimit.Rate, d.Refused);
            Assert.InRange(d.RetryAfter, TimeSpan.FromSeconds(12) - took - Rounding, TimeSpan.FromSeconds(12)); // one emission interval (60 s / 5), less the time the calls took
            Assert.Null(d.Lease);
        });
    }

    [Fact]
    public async Task Rate_SteadyRate_RefillsOneRequestPerEmissionInterval()
    {
        var caller = Caller(new QuotaPlan { RequestsPerMinute = 120, Burst = 2 }); // one every 500 ms

        var started = Stopwatch.GetTimestamp();
        Assert.True((await _store.AcquireAsync(Charge(caller), CancellationToken.None)).Allowed);
        Assert.True((await _store.AcquireAsync(Charge(caller), CancellationToken.None)).Allowed);
        var refused = await _store.AcquireAsync(Charge(caller), CancellationToken.None);
        var took = Stopwatch.GetElapsedTime(started);
        Assert.Equal(QuotaLimit.Rate, refused.Refused);
        Assert.InRange(refused.RetryAfter, TimeSpan.FromMilliseconds(500) - took - Rounding, TimeSpan.FromMilliseconds(500));

        await Task.Delay(refused.RetryAfter + TimeSpan.FromMilliseconds(20));

        Assert.True((await _store.AcquireAsync(Charge(caller), CancellationToken.None)).Allowed);
    }

    [Fact]
    public async Task Rate_IntervalNotAWholeNumberOfMilliseconds_StillWorks()
    {
        var caller = Caller(new QuotaPlan { RequestsPerMinute = 45, Burst = 1 }); // 1333.3 ms apart

        var started = Stopwatch.GetTimestamp();
        var first = await _store.AcquireAsync(Charge(caller), CancellationToken.None);
        var second = await _store.AcquireAsync(Charge(caller), CancellationToken.None);
        var took = Stopwatch.GetElapsedTime(started);

        Assert.True(first.Allowed);
        Assert.Equal(QuotaLimit.Rate, second.Refused);
        Assert.InRange(second.RetryAfter, TimeSpan.FromMilliseconds(1333) - took - Rounding, TimeSpan.FromMilliseconds(1334));
    }

    [Fact]
    public async Task Characters_ChargedAtAdmission_RefusedBeyondTheDay_RefundedOnRelease()
    {
        var caller = Caller(new QuotaPlan { CharactersPerDay = 100 });

        var first = await _store.AcquireAsync(Charge(caller, characters: 60), CancellationToken.None);
        var tooMany = await _store.AcquireAsync(Charge(caller, characters: 41), CancellationToken.None);
        await _store.ReleaseAsync(first.Lease!, refundCharacters: true, CancellationToken.None);
        var afterRefund = await _store.AcquireAsync(Charge(caller, characters: 100), CancellationToken.None);

        Assert.True(first.Allowed);
        Assert.Equal(60, first.Usage.CharactersUsed);
        Assert.Equal(QuotaLimit.Characters, tooMany.Refused);
        Assert.InRange(tooMany.RetryAfter, TimeSpan.FromMilliseconds(1), TimeSpan.FromDays(1)); // until midnight UTC
        Assert.Equal(tooMany.RetryAfter.TotalMilliseconds, tooMany.Usage.CharactersReset.TotalMilliseconds, 50.0);
        Assert.True(afterRefund.Allowed);
        Assert.Equal(100, (await _store.GetUsageAsync(caller, CancellationToken.None)).CharactersUsed);
    }

    [Fact]
    public async Task Concurrency_LeasesCountUntilReleasedOrExpired()
    {
        var caller = Caller(new QuotaPlan { ConcurrentStreams = 1 });

        var first = await _store.AcquireAsync(Charge(caller, leaseTtl: TimeSpan.FromSeconds(1)), CancellationToken.None);
        var second = await _store.AcquireAsync(Charge(caller), CancellationToken.None);
        Assert.True(await _store.RenewAsync(first.Lease!, CancellationToken.None));
        await Task.Delay(1300); // never renewed again: the replica holding it "crashed"
        var third = await _store.AcquireAsync(Charge(caller), CancellationToken.None);

        Assert.True(first.Allowed);
        Assert.Equal(QuotaLimit.Concurrency, second.Refused);
        Assert.True(third.Allowed);
        Assert.False(await _store.RenewAsync(first.Lease!, CancellationToken.None));
        await _store.ReleaseAsync(third.Lease!, refundCharacters: false, CancellationToken.None);
        Assert.Equal(0, (await _store.GetUsageAsync(caller, CancellationToken.None)).ActiveStreams);
    }

    [Fact]
    public void Keys_OfOneApiKey_ShareOneClusterHashTag()
    {
        var keys = RedisQuotaStore.KeysOf(Caller(new QuotaPlan()));

        Assert.All(keys, key => Assert.Contains("{alice}", key.ToString(), StringComparison.Ordinal));
    }

    private static QuotaAccount Caller(QuotaPlan plan) => new("alice", plan);

    private static QuotaCharge Charge(QuotaAccount caller, long characters = 10, TimeSpan? leaseTtl = null) =>
        new(caller, characters, Guid.NewGuid().ToString("N"), leaseTtl ?? TimeSpan.FromSeconds(30));
}
