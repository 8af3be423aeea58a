using System.Globalization;
using ChatTts.Edge.Redis;
using StackExchange.Redis;

namespace ChatTts.Edge.Admission.Fleet;

/// <summary>
/// The fleet's GPU slots and queue in Redis (<see cref="FleetScripts"/>): one script call per question. Every call fails
/// with <see cref="RedisUnavailableException"/> when Redis is down or late.
/// </summary>
internal sealed class FleetStore(RedisConnection redis)
{
    private static readonly RedisKey[] Keys = [.. FleetScripts.QueueKeys.Select(k => (RedisKey)k)];

    /// <summary>True while Redis answers.</summary>
    public bool IsAvailable => redis.IsAvailable;

    /// <summary>Takes a slot on one of <paramref name="wanted"/>, or queues the request, or says where it waits.</summary>
    public async Task<FleetAnswer> AcquireAsync(string requestId, FleetMode mode, string leaseId, FleetTimings timings, IReadOnlyList<FleetDestination> wanted, int maxQueueLength)
    {
        var result = (RedisResult[])(await RunAsync(FleetScripts.Acquire, Keys,
        [
            FleetScripts.SlotsPrefix, requestId, Mode(mode), leaseId, Milliseconds(timings.SlotLease), Milliseconds(timings.WaiterLease),
            maxQueueLength, string.Join(',', wanted.Select(d => $"{d.Id}={d.Capacity.ToString(CultureInfo.InvariantCulture)}")), FleetScripts.Channel,
        ]))!;
        var status = (int)result[0];
        return status == 1
            ? new FleetAnswer(FleetOutcome.Granted, 0, (string?)result[1])
            : new FleetAnswer((FleetOutcome)status, (int)result[1], null);
    }

    /// <summary>The free slots of <paramref name="wanted"/> in the fleet's count, less the requests waiting (may be below zero).</summary>
    public async Task<int> FreeAsync(IReadOnlyList<FleetDestination> wanted) =>
        (int)await RunAsync(FleetScripts.Free, Keys,
            [FleetScripts.SlotsPrefix, string.Join(',', wanted.Select(d => $"{d.Id}={d.Capacity.ToString(CultureInfo.InvariantCulture)}"))]);

    /// <summary>Gives a slot back; <paramref name="held"/> (null: unused) tells the fleet how fast slots free.</summary>
    public Task ReleaseAsync(string destinationId, string leaseId, TimeSpan? held) =>
        RunAsync(FleetScripts.Release, [],
            [FleetScripts.SlotsPrefix, destinationId, leaseId, FleetScripts.Channel, held is { } h ? Milliseconds(h) : -1]);

    /// <summary>Renews slots and waiting requests; returns the requests no longer queued and the queue's length.</summary>
    public async Task<(IReadOnlyList<string> Gone, int Length)> RenewAsync(
        IEnumerable<(string DestinationId, string LeaseId)> slots, IEnumerable<string> waiting, FleetTimings timings)
    {
        var result = (RedisResult[])(await RunAsync(FleetScripts.Renew, Keys,
        [
            FleetScripts.SlotsPrefix, Milliseconds(timings.SlotLease), Milliseconds(timings.WaiterLease),
            string.Join(',', slots.Select(s => $"{s.DestinationId}={s.LeaseId}")), string.Join(',', waiting),
        ]))!;
        return ([.. ((RedisResult[])result[0]!).Select(r => (string)r!)], (int)result[1]);
    }

    public Task LeaveAsync(IReadOnlyCollection<string> requestIds) =>
        requestIds.Count == 0 ? Task.CompletedTask : RunAsync(FleetScripts.Leave, Keys, [FleetScripts.Channel, .. requestIds.Select(id => (RedisValue)id)]);

    /// <summary>The places of <paramref name="requestIds"/> (0: no longer queued) and the queue's length.</summary>
    public async Task<(int[] Places, int Length)> PlacesAsync(IReadOnlyList<string> requestIds)
    {
        var result = (RedisResult[])(await RunAsync(FleetScripts.Places, Keys, [.. requestIds.Select(id => (RedisValue)id)]))!;
        return ([.. result.Take(requestIds.Count).Select(r => (int)r)], (int)result[^1]);
    }

    /// <summary>Hears the fleet's news: <c>freed:&lt;ms held&gt;</c> when a slot frees, <c>moved</c> when requests leave the queue.</summary>
    public Task SubscribeAsync(Action<string> handler) => redis.SubscribeAsync(FleetScripts.Channel, handler);

    private static long Milliseconds(TimeSpan time) => (long)time.TotalMilliseconds;

    private static string Mode(FleetMode mode) => mode switch
    {
        FleetMode.New => "new",
        FleetMode.Retry => "retry",
        FleetMode.Continuation => "continuation",
        FleetMode.Requeue => "requeue",
        _ => "waiting",
    };

    private Task<RedisResult> RunAsync(string script, RedisKey[] keys, RedisValue[] arguments) =>
        redis.RunAsync(database => database.ScriptEvaluateAsync(script, keys, arguments));
}

/// <summary>How a request asks for a slot.</summary>
internal enum FleetMode
{
    /// <summary>First time: queued at the back if nothing is free, refused if the queue is full.</summary>
    New,

    /// <summary>After a failed attempt: queued ahead of new requests, never refused as queue-full.</summary>
    Retry,

    /// <summary>A later segment of a split long text: queued behind every new request, never refused as queue-full.</summary>
    Continuation,

    /// <summary>Already queued: takes a slot if its turn has come, or hears its place.</summary>
    Waiting,

    /// <summary>Lost its place while its replica could not renew it: queued again at the back.</summary>
    Requeue,
}

/// <summary>What a request heard from the fleet.</summary>
internal enum FleetOutcome
{
    Queued = 0,
    Granted = 1,
    QueueFull = 2,
    NotQueued = 3,
}

/// <param name="Place">Queued: its place (1 first); queue full: the queue's length.</param>
/// <param name="DestinationId">Granted: where its slot is.</param>
internal readonly record struct FleetAnswer(FleetOutcome Outcome, int Place, string? DestinationId);

/// <summary>A destination a request could use, and its <c>MaxConcurrency</c>.</summary>
internal readonly record struct FleetDestination(string Id, int Capacity);

/// <param name="SlotLease">How long a slot outlives its replica.</param>
/// <param name="WaiterLease">How long a waiting request's place outlives its replica.</param>
internal readonly record struct FleetTimings(TimeSpan SlotLease, TimeSpan WaiterLease);
