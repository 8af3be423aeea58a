using System.Threading.Channels;
using ChatTts.Edge.Backends;
using ChatTts.Edge.Hosting;
using ChatTts.Edge.Redis;
using Microsoft.Extensions.Options;

namespace ChatTts.Edge.Admission.Fleet;

/// <summary>
/// Admission control shared by every replica (<c>Edge:Admission:Store=Redis</c>): one count of each GPU's slots and one
/// FIFO queue, in Redis (<see cref="FleetStore"/>). A request takes a slot when the requests queued ahead of it, on
/// whichever replica, have had their pick; otherwise it waits in the fleet's queue, hearing its fleet-wide place. A
/// freed slot is announced on a Redis channel, so the replica of the next request in line tries at once. Slots and
/// places are leases this replica renews: those of a replica that dies lapse by themselves. While Redis is unreachable
/// the replica uses its share of each GPU (<see cref="AdmissionOptions.LocalShare"/>) or refuses (<c>FailureMode</c>).
/// </summary>
internal sealed partial class FleetAdmission : IAdmissionControl, IDisposable
{
    private readonly FleetStore _store;
    private readonly BackendSelector _backends;
    private readonly DrainRate _drain;
    private readonly TimeProvider _time;
    private readonly IOptionsMonitor<AdmissionOptions> _options;
    private readonly ILogger<FleetAdmission> _logger;
    private readonly AdmissionQueue _fallback;
    private readonly FallbackSlots _fallbackSlots;
    private readonly Lock _lock = new();
    private readonly List<FleetWaiter> _waiters = [];
    private readonly Dictionary<FleetSlot, string> _held = [];
    private readonly string _replica = Guid.NewGuid().ToString("N")[..8];
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenRegistration _stopping;
    private readonly SemaphoreSlim _recovery = new(1, 1);
    private readonly Task _pump;
    private readonly ITimer _renew;
    private long _next;
    private int _length;
    private bool _closed;
    private bool _outage;
    private int _disposed;

    public FleetAdmission(
        FleetStore store,
        BackendSelector backends,
        DrainRate drain,
        TimeProvider time,
        IOptionsMonitor<AdmissionOptions> options,
        IHostApplicationLifetime lifetime,
        ILogger<FleetAdmission> logger,
        ILogger<AdmissionQueue> fallbackLogger)
    {
        _store = store;
        _backends = backends;
        _drain = drain;
        _time = time;
        _options = options;
        _logger = logger;
        _fallbackSlots = new FallbackSlots(this, backends, options.CurrentValue.LocalShare);
        _fallback = new AdmissionQueue(_fallbackSlots, new DrainRate(time), time, options, lifetime, fallbackLogger);
        _stopping = lifetime.ApplicationStopping.Register(static state => ((FleetAdmission)state!).Close(), this);
        var renewEvery = options.CurrentValue.SlotLease / 3;
        _renew = time.CreateTimer(static state => _ = ((FleetAdmission)state!).RenewAsync(), this, renewEvery, renewEvery);
        _pump = Task.Run(() => PumpAsync(_stop.Token));
    }

    public int Length
    {
        get
        {
            lock (_lock)
            {
                return Math.Max(_length, _waiters.Count) + _fallback.Length;
            }
        }
    }

    private FleetTimings Timings => new(_options.CurrentValue.SlotLease, _options.CurrentValue.SlotLease);

    public int WaitingFor(string destinationId)
    {
        lock (_lock)
        {
            return _waiters.Count(w => !w.Request.Exclude.Contains(destinationId)) + _fallback.WaitingFor(destinationId);
        }
    }

    public async Task<Admission> AdmitAsync(AdmissionRequest request, IQueueObserver observer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (Volatile.Read(ref _closed) && request.Class == 1)
        {
            return Admission.Refused(AdmissionRefusal.ShuttingDown, AdmissionDefaults.MinRetryAfter);
        }

        var wanted = Wanted(request);
        if (wanted.Count == 0)
        {
            return Admission.Refused(AdmissionRefusal.NoBackend, AdmissionDefaults.MinRetryAfter);
        }

        var waiter = new FleetWaiter(NewId(), NewSlot(), request, unrestricted: request.Exclude.Count == 0 && _backends.ServesAnywhere(request.Speech));
        FleetAnswer answer;
        try
        {
            await RecoverAsync();
            answer = await _store.AcquireAsync(waiter.Id, request.Class switch { 0 => FleetMode.Retry, 2 => FleetMode.Continuation, _ => FleetMode.New }, waiter.Slot.LeaseId, Timings, wanted, _options.CurrentValue.MaxQueueLength);
        }
        catch (RedisUnavailableException ex)
        {
            return await FallBackAsync(request, observer, ex, cancellationToken);
        }

        switch (answer.Outcome)
        {
            case FleetOutcome.Granted:
                return Grant(waiter.Slot, answer.DestinationId!) is { } lease
                    ? Admission.Granted(lease)
                    : Admission.Refused(AdmissionRefusal.NoBackend, AdmissionDefaults.MinRetryAfter);
            case FleetOutcome.QueueFull:
                var retryAfter = _drain.RetryAfter(answer.Place, _backends.Capacity());
                Log.QueueFull(_logger, request.Context.TraceIdentifier, answer.Place, retryAfter.TotalSeconds);
                return Admission.Refused(AdmissionRefusal.QueueFull, retryAfter);
            default:
                lock (_lock)
                {
                    _waiters.Add(waiter);
                    Place(waiter, answer.Place);
                }

                return await WaitAsync(waiter, observer, cancellationToken);
        }
    }

    /// <summary>Idempotent: the container disposes it once as itself and once as <see cref="IAdmissionControl"/>.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stopping.Dispose();
        _renew.Dispose();
        _stop.Cancel();
        _wake.Writer.TryComplete();
        _fallback.Dispose();
        _stop.Dispose();
        _recovery.Dispose();
    }

    private IReadOnlyList<FleetDestination> Wanted(AdmissionRequest request) =>
        [.. _backends.Candidates(request.Exclude, request.Speech).Select(c => new FleetDestination(c.Id, c.MaxConcurrency))];

    private string NewId() => $"{_replica}-{Interlocked.Increment(ref _next)}";

    /// <summary>Redis is out of reach: this replica's share of each GPU, or a refusal.</summary>
    private async Task<Admission> FallBackAsync(AdmissionRequest request, IQueueObserver observer, RedisUnavailableException cause, CancellationToken cancellationToken)
    {
        if (!Volatile.Read(ref _outage))
        {
            Volatile.Write(ref _outage, true);
            Log.Outage(_logger, _options.CurrentValue.FailureMode, cause.Message);
        }

        return _options.CurrentValue.FailureMode == AdmissionFailureMode.Unavailable || _fallbackSlots.Capacity() == 0
            ? Admission.Refused(AdmissionRefusal.StoreUnavailable, AdmissionDefaults.MinRetryAfter)
            : await _fallback.AdmitAsync(request, observer, cancellationToken);
    }

    /// <summary>After an outage, the slots taken meanwhile count in Redis before anyone takes another there.</summary>
    private async Task RecoverAsync()
    {
        if (!Volatile.Read(ref _outage))
        {
            return;
        }

        await _recovery.WaitAsync();
        try
        {
            if (Volatile.Read(ref _outage))
            {
                await RenewNowAsync();
                Volatile.Write(ref _outage, false);
                Log.Recovered(_logger);
            }
        }
        finally
        {
            _recovery.Release();
        }
    }

    private void Close()
    {
        Volatile.Write(ref _closed, true);
        _fallback.Close();
    }

    private static partial class Log
    {
        [LoggerMessage(LogEvents.QueueFull, LogLevel.Warning, "Stream {RequestId}: every backend of the fleet is busy and {Waiting} requests wait already; come back in {Seconds:0.#} s")]
        public static partial void QueueFull(ILogger logger, string requestId, int waiting, double seconds);

        [LoggerMessage(LogEvents.FleetOutage, LogLevel.Warning, "The fleet's GPU slots in Redis are out of reach ({Reason}); until Redis answers: {FailureMode}")]
        public static partial void Outage(ILogger logger, AdmissionFailureMode failureMode, string reason);

        [LoggerMessage(LogEvents.FleetRecovered, LogLevel.Information, "Redis answers again: GPU slots and the queue are the fleet's again")]
        public static partial void Recovered(ILogger logger);

        [LoggerMessage(LogEvents.FleetReleaseLapses, LogLevel.Debug, "A slot on {Backend} could not be given back in Redis ({Reason}); its lease lapses by itself")]
        public static partial void ReleaseLapses(ILogger logger, string backend, string reason);
    }
}
