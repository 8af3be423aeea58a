using ChatTts.Edge.Backends;
using Microsoft.Extensions.Options;

namespace ChatTts.Edge.Admission;

/// <summary>
/// Admission control in front of the GPUs: a request takes a free slot at once, or waits in a bounded FIFO
/// queue until one frees. Slots are handed out the moment a synthesis ends, so busy GPUs go straight on to the
/// next request without ever running two at once. Waiters that cancel, time out or lose their client leave the
/// queue at once, and everyone behind them moves up.
/// </summary>
internal sealed partial class AdmissionQueue : IDisposable
{
    private readonly Lock _lock = new();
    private readonly LinkedList<Waiter> _waiters = new();
    private readonly BackendSelector _backends;
    private readonly DrainRate _drain;
    private readonly TimeProvider _time;
    private readonly IOptionsMonitor<AdmissionOptions> _options;
    private readonly ILogger<AdmissionQueue> _logger;
    private ITimer? _recheck;
    private bool _closed;

    public AdmissionQueue(BackendSelector backends, DrainRate drain, TimeProvider time, IOptionsMonitor<AdmissionOptions> options, ILogger<AdmissionQueue> logger)
    {
        _backends = backends;
        _drain = drain;
        _time = time;
        _options = options;
        _logger = logger;
        _backends.SlotFreed += OnSlotFreed;
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

    /// <summary>
    /// Gets a backend slot for <paramref name="request"/>, waiting in the queue when every backend is at its cap.
    /// <paramref name="observer"/> hears the request's place while it waits; if it throws, the request leaves.
    /// </summary>
    public async Task<Admission> AdmitAsync(AdmissionRequest request, IQueueObserver observer, CancellationToken cancellationToken)
    {
        Waiter waiter;
        lock (_lock)
        {
            if (_closed && !request.IsRetry)
            {
                return Admission.Refused(AdmissionRefusal.ShuttingDown, AdmissionDefaults.MinRetryAfter);
            }

            // Whoever waits already goes first; a slot nobody waiting can use goes to the newcomer.
            Pump();
            var selection = request.IsRetry || !AnyUnrestrictedWaiter()
                ? _backends.TryAcquire(request.Context, request.Exclude, request.Speech)
                : new BackendSelection(null, HasCandidates: true);
            if (selection.Lease is { } lease)
            {
                return Admission.Granted(lease);
            }

            if (!selection.HasCandidates || !_backends.HasCandidate(request.Exclude, request.Speech))
            {
                return Admission.Refused(AdmissionRefusal.NoBackend, AdmissionDefaults.MinRetryAfter);
            }

            if (!request.IsRetry && _waiters.Count >= _options.CurrentValue.MaxQueueLength)
            {
                var retryAfter = _drain.RetryAfter(_waiters.Count, _backends.Capacity());
                Log.QueueFull(_logger, request.Context.TraceIdentifier, _waiters.Count, retryAfter.TotalSeconds);
                return Admission.Refused(AdmissionRefusal.QueueFull, retryAfter);
            }

            waiter = new Waiter(request, unrestricted: request.Exclude.Count == 0 && _backends.ServesAnywhere(request.Speech));
            Enqueue(waiter);
        }

        return await WaitAsync(waiter, observer, cancellationToken);
    }

    /// <summary>
    /// Refuses new requests from now on (the proxy is shutting down). Requests already accepted, waiting or
    /// retrying, are still served: their clients hold open streams, which the drain lets finish.
    /// </summary>
    public void Close()
    {
        lock (_lock)
        {
            _closed = true;
        }
    }

    public void Dispose()
    {
        _backends.SlotFreed -= OnSlotFreed;
        lock (_lock)
        {
            StopRecheck();
        }
    }

    private async Task<Admission> WaitAsync(Waiter waiter, IQueueObserver observer, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(waiter.Request.MaxWait, _time);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        await using var leave = stop.Token.UnsafeRegister(
            static state =>
            {
                var (queue, waiter, timeout) = ((AdmissionQueue, Waiter, CancellationTokenSource))state!;
                queue.Leave(waiter, timeout.IsCancellationRequested ? AdmissionRefusal.Timeout : AdmissionRefusal.None);
            },
            (this, waiter, timeout));

        var admitted = false;
        try
        {
            var reported = 0;
            while (true)
            {
                Task changed;
                QueueNotice notice;
                lock (_lock)
                {
                    if (waiter.Outcome.Task.IsCompleted)
                    {
                        break;
                    }

                    changed = waiter.Changed.Task;
                    notice = waiter.Notice;
                }

                // Clients hear of moving up only: a retry slotted in ahead does not send anyone back.
                if (reported == 0 || notice.Position < reported)
                {
                    await observer.QueuedAsync(notice, cancellationToken);
                    reported = notice.Position;
                }

                await Task.WhenAny(waiter.Outcome.Task, changed);
            }

            var (lease, refusal) = await waiter.Outcome.Task;
            cancellationToken.ThrowIfCancellationRequested();
            admitted = lease is not null;
            return lease is not null
                ? Admission.Granted(lease)
                : Admission.Refused(refusal, refusal is AdmissionRefusal.Timeout ? _drain.RetryAfter(Length, _backends.Capacity()) : AdmissionDefaults.MinRetryAfter);
        }
        finally
        {
            if (!admitted)
            {
                Leave(waiter, AdmissionRefusal.None);
                if (waiter.Outcome.Task.IsCompletedSuccessfully && waiter.Outcome.Task.Result.Lease is { } unused)
                {
                    unused.Dispose();
                }
            }
        }
    }

    private void Enqueue(Waiter waiter)
    {
        if (waiter.Request.IsRetry)
        {
            // Behind earlier retries, ahead of requests that have not been tried anywhere yet.
            var node = _waiters.First;
            while (node is not null && node.Value.Request.IsRetry)
            {
                node = node.Next;
            }

            if (node is null)
            {
                _waiters.AddLast(waiter.Node);
            }
            else
            {
                _waiters.AddBefore(node, waiter.Node);
            }
        }
        else
        {
            _waiters.AddLast(waiter.Node);
        }

        Renumber();
        _recheck ??= _time.CreateTimer(static state => ((AdmissionQueue)state!).Recheck(), this, AdmissionDefaults.RecheckInterval, AdmissionDefaults.RecheckInterval);
    }

    /// <summary>True when someone waits who could take any backend's slot. Called under the lock.</summary>
    private bool AnyUnrestrictedWaiter()
    {
        foreach (var waiter in _waiters)
        {
            if (waiter.Unrestricted)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Takes a waiter out of the queue (if it is still there) without a slot.</summary>
    private void Leave(Waiter waiter, AdmissionRefusal refusal)
    {
        lock (_lock)
        {
            if (waiter.Node.List is null)
            {
                return;
            }

            _waiters.Remove(waiter.Node);
            waiter.Complete(null, refusal);
            Renumber();
            if (_waiters.Count == 0)
            {
                StopRecheck();
            }
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
            var selection = _backends.TryAcquire(waiter.Request.Context, waiter.Request.Exclude, waiter.Request.Speech);

            // A waiter keeps waiting while its backends are only out for a while (unhealthy, draining); it is sent
            // away at once only when none it could use is configured any more.
            if (selection.Lease is not null || (!selection.HasCandidates && !_backends.HasConfigured(waiter.Request.Exclude)))
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
        var capacity = _backends.Capacity();
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

    /// <summary>One waiting request. Every field changes under the queue's lock.</summary>
    private sealed class Waiter
    {
        public Waiter(AdmissionRequest request, bool unrestricted)
        {
            Request = request;
            Unrestricted = unrestricted;
            Node = new LinkedListNode<Waiter>(this);
        }

        public AdmissionRequest Request { get; }

        /// <summary>It could take a slot on any destination: nobody behind it can use one it cannot.</summary>
        public bool Unrestricted { get; }

        public LinkedListNode<Waiter> Node { get; }

        public QueueNotice Notice { get; private set; }

        public TaskCompletionSource<(BackendLease? Lease, AdmissionRefusal Refusal)> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Completed (and replaced) whenever <see cref="Notice"/> changes.</summary>
        public TaskCompletionSource Changed { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Move(QueueNotice notice)
        {
            Notice = notice;
            var changed = Changed;
            Changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            changed.SetResult();
        }

        public void Complete(BackendLease? lease, AdmissionRefusal refusal) => Outcome.TrySetResult((lease, refusal));
    }

    private static partial class Log
    {
        [LoggerMessage(30, LogLevel.Warning, "Stream {RequestId}: every backend is busy and {Waiting} requests wait already; come back in {Seconds:0.#} s")]
        public static partial void QueueFull(ILogger logger, string requestId, int waiting, double seconds);
    }
}
