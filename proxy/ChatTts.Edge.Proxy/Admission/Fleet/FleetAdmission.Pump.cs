using System.Globalization;
using ChatTts.Edge.Backends;
using ChatTts.Edge.Redis;

namespace ChatTts.Edge.Admission.Fleet;

/// <summary>
/// How this replica's waiting requests move: whenever the fleet announces a freed slot or a request leaving the queue
/// (and every <see cref="AdmissionDefaults.RecheckInterval"/>, for backends that come back by health checks), its
/// waiters ask in their fleet order until one finds no room; the rest hear their places. Held slots and places are
/// renewed every third of <see cref="AdmissionOptions.SlotLease"/>.
/// </summary>
internal sealed partial class FleetAdmission
{
    private bool _subscribed;

    private async Task PumpAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                using (var recheck = new CancellationTokenSource(AdmissionDefaults.RecheckInterval, _time))
                using (var either = CancellationTokenSource.CreateLinkedTokenSource(recheck.Token, cancellationToken))
                {
                    await _wake.Reader.WaitToReadAsync(either.Token);
                }
            }
            catch (OperationCanceledException)
            {
                // The recheck interval passed (or the fleet stops: the loop ends).
            }

            while (_wake.Reader.TryRead(out _))
            {
            }

            try
            {
                await SubscribeAsync();
                await PumpOnceAsync();
            }
            catch (RedisUnavailableException)
            {
                FailWaiters();
            }
        }
    }

    private void Wake() => _wake.Writer.TryWrite(true);

    private async Task SubscribeAsync()
    {
        if (_subscribed)
        {
            return;
        }

        await _store.SubscribeAsync(message =>
        {
            if (message.StartsWith("freed:", StringComparison.Ordinal)
                && long.TryParse(message.AsSpan(6), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var held) && held >= 0)
            {
                _drain.Released(TimeSpan.FromMilliseconds(held));
            }

            Wake();
        });
        _subscribed = true;
    }

    /// <summary>Lets this replica's waiters take what is theirs, in fleet order; then tells the rest their places.</summary>
    private async Task PumpOnceAsync()
    {
        List<FleetWaiter> waiting;
        lock (_lock)
        {
            waiting = [.. _waiters.OrderBy(w => w.Place == 0 ? int.MaxValue : w.Place)];
        }

        var trying = true;
        var others = new List<FleetWaiter>();
        foreach (var waiter in waiting)
        {
            if (!trying && waiter.Place > 0)
            {
                others.Add(waiter);
                continue;
            }

            var wanted = Wanted(waiter.Request);
            if (wanted.Count == 0)
            {
                // Its backends are out for a while (unhealthy, draining): it waits on; if none is configured any more, it leaves.
                if (!_backends.HasConfigured(waiter.Request.Exclude))
                {
                    Leave(waiter, AdmissionRefusal.NoBackend);
                }

                continue;
            }

            var answer = await _store.AcquireAsync(waiter.Id, waiter.Place == 0 ? FleetMode.Requeue : FleetMode.Waiting, waiter.Slot.LeaseId, Timings, wanted, int.MaxValue);
            if (answer.Outcome == FleetOutcome.Granted)
            {
                Hand(waiter, Grant(waiter.Slot, answer.DestinationId!));
                continue;
            }

            lock (_lock)
            {
                Place(waiter, answer.Outcome == FleetOutcome.Queued ? answer.Place : 0);
            }

            // Nothing had room for a request that could go anywhere, so nothing has room for those behind it.
            trying = !waiter.Waiter.Unrestricted;
        }

        if (others.Count > 0)
        {
            var (places, length) = await _store.PlacesAsync([.. others.Select(w => w.Id)]);
            lock (_lock)
            {
                _length = length;
                for (var i = 0; i < others.Count; i++)
                {
                    Place(others[i], places[i]);
                }
            }
        }
    }

    /// <summary>Gives a waiter its lease; a waiter that left meanwhile gives it straight back.</summary>
    private void Hand(FleetWaiter waiter, BackendLease? lease)
    {
        lock (_lock)
        {
            if (_waiters.Remove(waiter) && waiter.Waiter.Complete(lease, lease is null ? AdmissionRefusal.NoBackend : AdmissionRefusal.None))
            {
                return;
            }
        }

        lease?.Dispose();
    }

    private async Task RenewAsync()
    {
        try
        {
            await RenewNowAsync();
        }
        catch (RedisUnavailableException ex)
        {
            if (!Volatile.Read(ref _outage))
            {
                Volatile.Write(ref _outage, true);
                Log.Outage(_logger, _options.CurrentValue.FailureMode, ex.Message);
            }

            FailWaiters();
        }
    }

    /// <summary>Renews every slot this replica holds (adding again those Redis lost) and every place it waits in.</summary>
    private async Task RenewNowAsync()
    {
        (string, string)[] slots;
        string[] waiting;
        lock (_lock)
        {
            slots = [.. _held.Select(h => (h.Value, h.Key.LeaseId))];
            waiting = [.. _waiters.Select(w => w.Id)];
        }

        var (gone, length) = await _store.RenewAsync(slots, waiting, Timings);
        lock (_lock)
        {
            _length = length;
            foreach (var waiter in _waiters.Where(w => gone.Contains(w.Id)))
            {
                waiter.Place = 0; // queued again at the back by the next pump
            }
        }

        if (gone.Count > 0)
        {
            Wake();
        }
    }
}
