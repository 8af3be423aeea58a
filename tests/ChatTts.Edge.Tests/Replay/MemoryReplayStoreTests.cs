using ChatTts.Edge.Replay;
using ChatTts.Edge.Tests.Infrastructure;

namespace ChatTts.Edge.Tests.Replay;

public sealed class MemoryReplayStoreTests
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    [Fact]
    public async Task Find_AStoredEntry_ReturnsItsPcmByteExact_UntilItsTtlHasPassed()
    {
        var time = new ManualTimeProvider();
        var store = Store(maxBytes: 1000, time);
        var pcm = TestAudio.Pcm(200);

        await store.StoreAsync("k", new ReplayEntry("gpu0", pcm), TimeSpan.FromMinutes(10), default);
        time.Advance(TimeSpan.FromMinutes(10) - TimeSpan.FromTicks(1));
        var found = await store.FindAsync(["other", "k"], default);
        time.Advance(TimeSpan.FromTicks(1));

        Assert.Equal(pcm, found!.Pcm.ToArray());
        Assert.Equal("gpu0", found.Backend);
        Assert.Null(await store.FindAsync(["k"], default));
        Assert.Equal(0, store.Bytes); // the expired entry was taken out
    }

    [Fact]
    public async Task Store_OverTheBudget_EvictsTheLeastRecentlyUsedFirst()
    {
        var store = Store(maxBytes: 300, new ManualTimeProvider());
        await store.StoreAsync("a", new ReplayEntry("gpu0", TestAudio.Pcm(100, 1)), Hour, default);
        await store.StoreAsync("b", new ReplayEntry("gpu0", TestAudio.Pcm(100, 2)), Hour, default);
        await store.StoreAsync("c", new ReplayEntry("gpu0", TestAudio.Pcm(100, 3)), Hour, default);
        await store.FindAsync(["a"], default); // a is used again: b is now the least recently used

        await store.StoreAsync("d", new ReplayEntry("gpu0", TestAudio.Pcm(100, 4)), Hour, default);

        Assert.Null(await store.FindAsync(["b"], default));
        Assert.NotNull(await store.FindAsync(["a"], default));
        Assert.NotNull(await store.FindAsync(["c"], default));
        Assert.NotNull(await store.FindAsync(["d"], default));
        Assert.Equal(300, store.Bytes);
    }

    [Fact]
    public async Task Store_TheSameKeyAgain_ReplacesTheEntryAndCountsItsBytesOnce()
    {
        var store = Store(maxBytes: 1000, new ManualTimeProvider());

        await store.StoreAsync("a", new ReplayEntry("gpu0", TestAudio.Pcm(100, 1)), Hour, default);
        await store.StoreAsync("a", new ReplayEntry("gpu1", TestAudio.Pcm(150, 2)), Hour, default);

        Assert.Equal(150, store.Bytes);
        Assert.Equal(1, store.Count);
        Assert.Equal("gpu1", (await store.FindAsync(["a"], default))!.Backend);
    }

    [Fact]
    public async Task Store_AnEntryLargerThanTheWholeBudget_IsNotStoredAndEvictsNothing()
    {
        var store = Store(maxBytes: 100, new ManualTimeProvider());
        await store.StoreAsync("a", new ReplayEntry("gpu0", TestAudio.Pcm(60)), Hour, default);

        await store.StoreAsync("b", new ReplayEntry("gpu0", TestAudio.Pcm(101)), Hour, default);

        Assert.NotNull(await store.FindAsync(["a"], default));
        Assert.Null(await store.FindAsync(["b"], default));
    }

    private static MemoryReplayStore Store(long maxBytes, TimeProvider time) =>
        new(new FixedOptionsMonitor<CacheOptions>(new CacheOptions { MaxBytes = maxBytes, MaxEntryBytes = (int)Math.Min(maxBytes, int.MaxValue) }), time);
}
