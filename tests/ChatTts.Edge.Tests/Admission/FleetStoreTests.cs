using ChatTts.Edge.Admission.Fleet;
using ChatTts.Edge.Redis;

namespace ChatTts.Edge.Tests.Admission;

/// <summary>
/// The fleet's slots and queue as the Lua scripts keep them in a real redis-server, asked directly as replicas would:
/// who gets a freed slot, in which order, and what lapses when a replica stops renewing.
/// </summary>
public sealed class FleetStoreTests : IAsyncLifetime, IDisposable
{
    private static readonly FleetTimings Timings = new(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30));
    private static readonly FleetDestination[] Gpu0 = [new("gpu0", 1)];
    private static readonly FleetDestination[] Gpu1 = [new("gpu1", 1)];
    private static readonly FleetDestination[] Both = [new("gpu0", 1), new("gpu1", 1)];

    private RedisServer _redis = null!;
    private RedisConnection _connection = null!;
    private FleetStore _store = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _connection = new RedisConnection(new RedisSettings(_redis.Configuration, TimeSpan.FromSeconds(5)), TimeProvider.System);
        await _connection.ConnectAsync();
        _store = new FleetStore(_connection);
    }

    public async Task DisposeAsync() => await _redis.DisposeAsync();

    public void Dispose() => _connection.Dispose();

    [Fact]
    public async Task OneSlot_FirstComeFirstServed_PlacesMoveUpAsTheQueueDrains()
    {
        Assert.Equal(FleetOutcome.Granted, (await NewAsync("a", Gpu0)).Outcome);
        Assert.Equal(new FleetAnswer(FleetOutcome.Queued, 1, null), await NewAsync("b", Gpu0));
        Assert.Equal(new FleetAnswer(FleetOutcome.Queued, 2, null), await NewAsync("c", Gpu0));

        Assert.Equal(new FleetAnswer(FleetOutcome.Queued, 2, null), await WaitingAsync("c", Gpu0)); // nothing freed: c waits on
        await _store.ReleaseAsync("gpu0", "slot-a", TimeSpan.FromSeconds(1));
        Assert.Equal(new FleetAnswer(FleetOutcome.Queued, 2, null), await WaitingAsync("c", Gpu0)); // b's turn, not c's
        Assert.Equal(new FleetAnswer(FleetOutcome.Granted, 0, "gpu0"), await WaitingAsync("b", Gpu0));

        // b keeps its place until its replica has told its client and it leaves; then c is first.
        var waitingC = await PlacesOfAsync("c");
        Assert.Equal([2], waitingC);
        await _store.LeaveAsync(["b"]);
        var (places, length) = await _store.PlacesAsync(["c"]);
        Assert.Equal([1], places);
        Assert.Equal(1, length);
    }

    [Fact]
    public async Task FreedSlot_GoesToTheRequestQueuedAhead_NotToANewcomer()
    {
        await NewAsync("a", Gpu0);
        await NewAsync("b", Gpu0);
        await _store.ReleaseAsync("gpu0", "slot-a", held: null);

        Assert.Equal(new FleetAnswer(FleetOutcome.Queued, 2, null), await NewAsync("newcomer", Gpu0)); // before b's replica even asks
        Assert.Equal(FleetOutcome.Granted, (await WaitingAsync("b", Gpu0)).Outcome);
    }

    [Fact]
    public async Task RestrictedRequestAhead_DoesNotHoldBackOneBehindIt()
    {
        await NewAsync("on0", Gpu0);
        await NewAsync("on1", Gpu1);
        await AcquireAsync("retry-elsewhere", FleetMode.Retry, Gpu1); // it may only go to gpu1
        await NewAsync("anywhere", Both);

        await _store.ReleaseAsync("gpu0", "slot-on0", held: null);

        Assert.Equal(new FleetAnswer(FleetOutcome.Granted, 0, "gpu0"), await WaitingAsync("anywhere", Both));
        Assert.Equal(new FleetAnswer(FleetOutcome.Queued, 1, null), await WaitingAsync("retry-elsewhere", Gpu1));
    }

    [Fact]
    public async Task Retry_WaitsAheadOfNewRequests_AndIsNeverRefusedAsQueueFull()
    {
        await NewAsync("busy", Gpu0);
        await NewAsync("new", Gpu0);

        Assert.Equal(FleetOutcome.QueueFull, (await AcquireAsync("full", FleetMode.New, Gpu0, maxQueueLength: 1)).Outcome);
        Assert.Equal(new FleetAnswer(FleetOutcome.Queued, 1, null), await AcquireAsync("retry", FleetMode.Retry, Gpu0, maxQueueLength: 1));
        var waiting = await PlacesOfAsync("retry", "new");
        Assert.Equal([1, 2], waiting);
    }

    [Fact]
    public async Task LaterSegments_WaitBehindNewRequestsThatCameAfterThem_AndAreNeverRefusedAsQueueFull()
    {
        await NewAsync("busy", Gpu0);
        await AcquireAsync("segment-1", FleetMode.Continuation, Gpu0, maxQueueLength: 1);
        await AcquireAsync("segment-2", FleetMode.Continuation, Gpu0, maxQueueLength: 1);

        // Later segments do not count towards the limit of new requests, which go ahead of them.
        Assert.Equal(new FleetAnswer(FleetOutcome.Queued, 1, null), await AcquireAsync("short", FleetMode.New, Gpu0, maxQueueLength: 1));
        Assert.Equal(FleetOutcome.QueueFull, (await AcquireAsync("full", FleetMode.New, Gpu0, maxQueueLength: 1)).Outcome);
        Assert.Equal(new FleetAnswer(FleetOutcome.Queued, 1, null), await AcquireAsync("retry", FleetMode.Retry, Gpu0, maxQueueLength: 1));
        var places = await PlacesOfAsync("retry", "short", "segment-1", "segment-2");
        Assert.Equal([1, 2, 3, 4], places);

        // A freed slot goes to the new request (after the retry), not to a segment that waited longer.
        await _store.ReleaseAsync("gpu0", "slot-busy", held: null);
        Assert.Equal(new FleetAnswer(FleetOutcome.Queued, 3, null), await WaitingAsync("segment-1", Gpu0));
        Assert.Equal(FleetOutcome.Granted, (await WaitingAsync("retry", Gpu0)).Outcome);
    }

    [Fact]
    public async Task LeastLoadedDestination_IsChosen()
    {
        var two = new FleetDestination[] { new("gpu0", 2), new("gpu1", 2) };
        var first = await NewAsync("a", two);
        var second = await NewAsync("b", two);

        Assert.NotEqual(first.DestinationId, second.DestinationId); // each GPU takes one before either takes two
    }

    [Fact]
    public async Task AReplicaThatStopsRenewing_ItsPlacesAndSlotsLapse_AndRenewingAddsLostSlotsBack()
    {
        var brief = new FleetTimings(TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(500));
        await _store.AcquireAsync("dead", FleetMode.New, "slot-dead", brief, Gpu0, 100);
        await _store.AcquireAsync("dead-waiter", FleetMode.New, "slot-dead-waiter", brief, Gpu0, 100);
        Assert.Equal(new FleetAnswer(FleetOutcome.Queued, 2, null), await NewAsync("alive", Gpu0));

        await Task.Delay(TimeSpan.FromMilliseconds(700)); // neither is renewed: both lapse
        var alive = await PlacesOfAsync("alive");
        Assert.Equal([1], alive);
        Assert.Equal(new FleetAnswer(FleetOutcome.Granted, 0, "gpu0"), await WaitingAsync("alive", Gpu0));

        // A replica cut off from Redis for longer than its lease renews the slot it still uses: it counts again.
        await _store.LeaveAsync(["alive"]);
        await _store.ReleaseAsync("gpu0", "slot-alive", held: null);
        var (gone, _) = await _store.RenewAsync([("gpu0", "slot-dead")], ["dead-waiter"], Timings);
        Assert.Equal(["dead-waiter"], gone);
        Assert.Equal(FleetOutcome.Queued, (await NewAsync("after", Gpu0)).Outcome);
    }

    private async Task<int[]> PlacesOfAsync(params string[] ids) => (await _store.PlacesAsync(ids)).Places;

    private Task<FleetAnswer> NewAsync(string id, FleetDestination[] wanted) => AcquireAsync(id, FleetMode.New, wanted);

    private Task<FleetAnswer> WaitingAsync(string id, FleetDestination[] wanted) => AcquireAsync(id, FleetMode.Waiting, wanted);

    private Task<FleetAnswer> AcquireAsync(string id, FleetMode mode, FleetDestination[] wanted, int maxQueueLength = 100) =>
        _store.AcquireAsync(id, mode, "slot-" + id, Timings, wanted, maxQueueLength);
}
