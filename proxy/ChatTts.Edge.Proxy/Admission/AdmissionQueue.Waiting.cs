namespace ChatTts.Edge.Admission;

/// <summary>How a request waits in <see cref="AdmissionQueue"/>: its place, its notices, leaving.</summary>
internal sealed partial class AdmissionQueue
{
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
            var (lease, refusal) = await waiter.ListenAsync(_lock, observer, cancellationToken);
            cancellationToken.ThrowIfCancellationRequested();
            if (lease is null)
            {
                return Admission.Refused(refusal, refusal is AdmissionRefusal.Timeout ? _drain.RetryAfter(Length, _slots.Capacity()) : AdmissionDefaults.MinRetryAfter);
            }

            await observer.AdmittedAsync(cancellationToken);
            admitted = true;
            return Admission.Granted(lease);
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

    /// <summary>Behind every waiter of its class or a class ahead of it, ahead of the rest (see <see cref="AdmissionRequest.Class"/>).</summary>
    private void Enqueue(Waiter waiter)
    {
        var node = _waiters.First;
        while (node is not null && node.Value.Request.Class <= waiter.Request.Class)
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

        Renumber();
        _recheck ??= _time.CreateTimer(static state => ((AdmissionQueue)state!).Recheck(), this, AdmissionDefaults.RecheckInterval, AdmissionDefaults.RecheckInterval);
    }

    /// <summary>True when someone waits ahead of a newcomer of <paramref name="queueClass"/> who could take any backend's slot. Called under the lock.</summary>
    private bool AnyUnrestrictedWaiter(int queueClass)
    {
        foreach (var waiter in _waiters)
        {
            if (waiter.Unrestricted && waiter.Request.Class <= queueClass)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Waiters a newcomer of <paramref name="queueClass"/> would queue behind. Called under the lock.</summary>
    private int WaitingAhead(int queueClass)
    {
        var count = 0;
        foreach (var waiter in _waiters)
        {
            count += waiter.Request.Class <= queueClass ? 1 : 0;
        }

        return count;
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
}
