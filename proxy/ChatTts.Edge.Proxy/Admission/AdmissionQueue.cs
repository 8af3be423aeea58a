using ChatTts.Edge.Backends;
using Microsoft.Extensions.Options;
using ChatTts.Edge.Hosting;

namespace ChatTts.Edge.Admission;

/// <summary>
/// Admission control in front of the GPUs: a request takes a free slot at once, or waits in a bounded queue until
/// one frees: retries first, then new requests, then later segments of split long texts, first come first served within
/// each (<see cref="AdmissionRequest.Class"/>), so a long text takes free GPUs only when no other caller's request waits. Slots are handed out the moment a synthesis ends, so busy GPUs go straight on to the
/// next request without ever running two at once. Waiters that cancel, time out or lose their client leave the
/// queue at once, and everyone behind them moves up.
/// </summary>
internal sealed partial class AdmissionQueue : IAdmissionControl, IDisposable
{
    private readonly Lock _lock = new();
    private readonly LinkedList<Waiter> _waiters = new();
    private readonly IGpuSlots _slots;
    private readonly DrainRate _drain;
    private readonly TimeProvider _time;
    private readonly IOptionsMonitor<AdmissionOptions> _options;
    private readonly ILogger<AdmissionQueue> _logger;
    private readonly CancellationTokenRegistration _stopping;
    private ITimer? _recheck;
    private bool _closed;

    public AdmissionQueue(IGpuSlots slots, DrainRate drain, TimeProvider time, IOptionsMonitor<AdmissionOptions> options, IHostApplicationLifetime lifetime, ILogger<AdmissionQueue> logger)
    {
        _stopping = lifetime.ApplicationStopping.Register(static state => ((AdmissionQueue)state!).Close(), this);
        _slots = slots;
        _drain = drain;
        _time = time;
        _options = options;
        _logger = logger;
        _slots.SlotFreed += OnSlotFreed;
    }

    /// <summary>Requests waiting now.</summary>
    public int Length
    {
        get
        {
            lock (_lock)
            {
                return _waiters.Count;
            }
        }
    }

    /// <summary>Waiting requests that <paramref name="destinationId"/> could serve.</summary>
    public int WaitingFor(string destinationId)
    {
        lock (_lock)
        {
            var count = 0;
            foreach (var waiter in _waiters)
            {
                count += waiter.Request.Exclude.Contains(destinationId) ? 0 : 1;
            }

            return count;
        }
    }

    public ValueTask<int> FreeSlotsAsync(BackendRequest speech)
    {
        lock (_lock)
        {
            return ValueTask.FromResult(Math.Max(0, _slots.Free(speech) - _waiters.Count));
        }
    }

    /// <summary>
    /// Gets a backend slot for <paramref name="request"/>, waiting in the queue when every backend is at its cap.
    /// <paramref name="observer"/> hears the request's place while it waits; if it throws, the request leaves.
    /// </summary>
    public async Task<Admission> AdmitAsync(AdmissionRequest request, IQueueObserver observer, CancellationToken cancellationToken)
    {
        Waiter waiter;
        lock (_lock)
        {
            if (_closed && request.Class == 1)
            {
                return Admission.Refused(AdmissionRefusal.ShuttingDown, AdmissionDefaults.MinRetryAfter);
            }

            // Whoever waits already goes first (unless the newcomer's class queues ahead of it); a slot nobody waiting
            // ahead can use goes to the newcomer.
            Pump();
            var selection = request.IsRetry || !AnyUnrestrictedWaiter(request.Class)
                ? _slots.TryTake(request)
                : new BackendSelection(null, HasCandidates: true);
            if (selection.Lease is { } lease)
            {
                return Admission.Granted(lease);
            }

            if (!selection.HasCandidates || !_slots.HasCandidate(request.Exclude, request.Speech))
            {
                return Admission.Refused(AdmissionRefusal.NoBackend, AdmissionDefaults.MinRetryAfter);
            }

            if (request.Class == 1 && WaitingAhead(request.Class) is var ahead && ahead >= _options.CurrentValue.MaxQueueLength)
            {
                var retryAfter = _drain.RetryAfter(ahead, _slots.Capacity());
                Log.QueueFull(_logger, request.Context.TraceIdentifier, ahead, retryAfter.TotalSeconds);
                return Admission.Refused(AdmissionRefusal.QueueFull, retryAfter);
            }

            waiter = new Waiter(request, unrestricted: request.Exclude.Count == 0 && _slots.ServesAnywhere(request.Speech));
            Enqueue(waiter);
        }

        return await WaitAsync(waiter, observer, cancellationToken);
    }

    /// <summary>
    /// Refuses new requests from now on (the proxy is shutting down; called when the host starts stopping). Requests
    /// already accepted, waiting or retrying, are still served: their clients hold open streams, which the drain lets finish.
    /// </summary>
    public void Close()
    {
        lock (_lock)
        {
            _closed = true;
            Log.Closed(_logger, _waiters.Count);
        }
    }

    public void Dispose()
    {
        _stopping.Dispose();
        _slots.SlotFreed -= OnSlotFreed;
        lock (_lock)
        {
            StopRecheck();
        }
    }

    private void OnSlotFreed(TimeSpan? held)
    {
        if (held is { } synthesis)
        {
            _drain.Released(synthesis);
        }

        lock (_lock)
        {
            Pump();
        }
    }

    /// <summary>Backends also come back by health checks and configuration changes, which raise no event.</summary>
    private void Recheck()
    {
        lock (_lock)
        {
            Pump();
        }
    }

    /// <summary>Hands free slots to waiters in queue order. Called under the lock.</summary>
    private void Pump()
    {
        var changed = false;
        for (var node = _waiters.First; node is not null;)
        {
            var next = node.Next;
            var waiter = node.Value;
            var selection = _slots.TryTake(waiter.Request);

            // A waiter keeps waiting while its backends are only out for a while (unhealthy, draining); it is sent
            // away at once only when none it could use is configured any more.
            if (selection.Lease is not null || (!selection.HasCandidates && !_slots.HasConfigured(waiter.Request.Exclude)))
            {
                _waiters.Remove(node);
                waiter.Complete(selection.Lease, selection.Lease is null ? AdmissionRefusal.NoBackend : AdmissionRefusal.None);
                changed = true;
            }
            else if (!selection.Restricted)
            {
                // Nothing has room for a request that could go anywhere, so nothing has room for those behind it.
                break;
            }

            node = next;
        }

        if (changed)
        {
            Renumber();
        }

        if (_waiters.Count == 0)
        {
            StopRecheck();
        }
    }

    /// <summary>Gives every waiter its current place and estimated wait, waking those whose place changed.</summary>
    private void Renumber()
    {
        var capacity = _slots.Capacity();
        var position = 0;
        foreach (var waiter in _waiters)
        {
            position++;
            if (waiter.Notice.Position != position)
            {
                waiter.Move(new QueueNotice(position, _drain.EstimateWait(position, capacity)));
            }
        }
    }

    private void StopRecheck()
    {
        _recheck?.Dispose();
        _recheck = null;
    }

    private static partial class Log
    {
        [LoggerMessage(LogEvents.QueueFull, LogLevel.Warning, "Stream {RequestId}: every backend is busy and {Waiting} requests wait already; come back in {Seconds:0.#} s")]
        public static partial void QueueFull(ILogger logger, string requestId, int waiting, double seconds);

        [LoggerMessage(LogEvents.QueueClosed, LogLevel.Information, "Shutting down: the admission queue refuses new requests; the {Waiting} waiting are still served")]
        public static partial void Closed(ILogger logger, int waiting);
    }
}
