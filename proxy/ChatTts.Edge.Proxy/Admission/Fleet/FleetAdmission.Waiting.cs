using ChatTts.Edge.Redis;

namespace ChatTts.Edge.Admission.Fleet;

/// <summary>One request of this replica waiting in the fleet's queue.</summary>
internal sealed class FleetWaiter(string id, FleetSlot slot, AdmissionRequest request, bool unrestricted)
{
    public string Id { get; } = id;

    /// <summary>The slot it takes when its turn comes.</summary>
    public FleetSlot Slot { get; } = slot;

    public AdmissionRequest Request => Waiter.Request;

    /// <summary>Its place, its notices and its outcome, as in this process's own queue.</summary>
    public Waiter Waiter { get; } = new(request, unrestricted);

    /// <summary>Its fleet-wide place as last heard (1 first); 0 when Redis no longer has it queued.</summary>
    public int Place { get; set; }
}

/// <summary>How a request waits in the fleet's queue: its place, its notices, leaving.</summary>
internal sealed partial class FleetAdmission
{
    private async Task<Admission> WaitAsync(FleetWaiter waiter, IQueueObserver observer, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        using var timeout = new CancellationTokenSource(waiter.Request.MaxWait, _time);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        await using var leave = stop.Token.UnsafeRegister(
            static state =>
            {
                var (fleet, waiter, timeout) = ((FleetAdmission, FleetWaiter, CancellationTokenSource))state!;
                fleet.Leave(waiter, timeout.IsCancellationRequested ? AdmissionRefusal.Timeout : AdmissionRefusal.None);
            },
            (this, waiter, timeout));

        var admitted = false;
        try
        {
            var (lease, refusal) = await waiter.Waiter.ListenAsync(_lock, observer, cancellationToken);
            cancellationToken.ThrowIfCancellationRequested();
            if (lease is not null)
            {
                try
                {
                    await observer.AdmittedAsync(cancellationToken);
                }
                finally
                {
                    _ = LeaveAsync(waiter.Id); // it kept its place until now (see FleetScripts.Acquire)
                }

                admitted = true;
                return Admission.Granted(lease);
            }

            if (refusal == AdmissionRefusal.StoreUnavailable)
            {
                // Redis went away while it waited: it waits on, for what is left of its time, on this replica's share.
                var left = waiter.Request.MaxWait - _time.GetElapsedTime(started);
                return await FallBackAsync(waiter.Request with { MaxWait = left > TimeSpan.Zero ? left : TimeSpan.Zero }, observer,
                    new RedisUnavailableException("Redis went away while requests waited."), cancellationToken);
            }

            return Admission.Refused(refusal, refusal is AdmissionRefusal.Timeout ? _drain.RetryAfter(Length, _backends.Capacity()) : AdmissionDefaults.MinRetryAfter);
        }
        finally
        {
            if (!admitted)
            {
                Leave(waiter, AdmissionRefusal.None);
                if (waiter.Waiter.Outcome.Task.IsCompletedSuccessfully && waiter.Waiter.Outcome.Task.Result.Lease is { } unused)
                {
                    unused.Dispose();
                }
            }
        }
    }

    /// <summary>Gives <paramref name="waiter"/> its fleet-wide place, waking it if the place changed. Called under the lock.</summary>
    private void Place(FleetWaiter waiter, int place)
    {
        waiter.Place = place;
        if (place > 0 && waiter.Waiter.Notice.Position != place)
        {
            waiter.Waiter.Move(new QueueNotice(place, _drain.EstimateWait(place, _backends.Capacity())));
        }
    }

    /// <summary>Takes a waiter out of this replica's list and the fleet's queue (if it is still there) without a slot.</summary>
    private void Leave(FleetWaiter waiter, AdmissionRefusal refusal)
    {
        lock (_lock)
        {
            if (!_waiters.Remove(waiter))
            {
                return;
            }

            waiter.Waiter.Complete(null, refusal);
        }

        _ = LeaveAsync(waiter.Id);
    }

    private async Task LeaveAsync(string id)
    {
        try
        {
            await _store.LeaveAsync([id]);
        }
        catch (RedisUnavailableException)
        {
            // Its place lapses by itself, as a dead replica's do.
        }
    }

    /// <summary>Every waiter of this replica goes on waiting on its share of the GPUs (or is refused): Redis is out of reach.</summary>
    private void FailWaiters()
    {
        lock (_lock)
        {
            foreach (var waiter in _waiters)
            {
                waiter.Waiter.Complete(null, AdmissionRefusal.StoreUnavailable);
            }

            _waiters.Clear();
        }
    }
}
