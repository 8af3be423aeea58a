using System.Collections.Frozen;
using ChatTts.Edge.Backends;
using ChatTts.Edge.Redis;

namespace ChatTts.Edge.Admission.Fleet;

/// <summary>The slots this replica holds in the fleet's count: taken, recorded for renewal, given back.</summary>
internal sealed partial class FleetAdmission
{
    /// <summary>The fleet's free slots for <paramref name="speech"/>, from Redis; this replica's share of them while Redis is out of reach.</summary>
    public async ValueTask<int> FreeSlotsAsync(BackendRequest speech)
    {
        var wanted = _backends.Candidates(FrozenSet<string>.Empty, speech);
        if (wanted.Count == 0)
        {
            return 0;
        }

        try
        {
            return Math.Max(0, await _store.FreeAsync([.. wanted.Select(c => new FleetDestination(c.Id, c.MaxConcurrency))]));
        }
        catch (RedisUnavailableException)
        {
            return await _fallback.FreeSlotsAsync(speech);
        }
    }

    /// <summary>A slot lease id, unique in the fleet.</summary>
    internal FleetSlot NewSlot() => new(this, _backends, NewId());

    /// <summary>Records a slot this replica holds, renewed in Redis until it ends.</summary>
    internal void Track(FleetSlot slot, string destinationId)
    {
        lock (_lock)
        {
            _held[slot] = destinationId;
        }
    }

    /// <summary>A held slot ended: given back in Redis (if Redis is down, its lease lapses by itself).</summary>
    internal void Released(FleetSlot slot, string destinationId, TimeSpan? held)
    {
        lock (_lock)
        {
            _held.Remove(slot);
        }

        _ = ReleaseAsync(destinationId, slot.LeaseId, held);
    }

    private async Task ReleaseAsync(string destinationId, string leaseId, TimeSpan? held)
    {
        try
        {
            await _store.ReleaseAsync(destinationId, leaseId, held);
        }
        catch (RedisUnavailableException ex)
        {
            Log.ReleaseLapses(_logger, destinationId, ex.Message);
        }
    }

    /// <summary>A lease on the slot the fleet gave <paramref name="slot"/>; null (and the slot given back) when the destination went away.</summary>
    private BackendLease? Grant(FleetSlot slot, string destinationId)
    {
        Track(slot, destinationId);
        if (_backends.Take(destinationId, slot) is { } lease)
        {
            return lease;
        }

        Released(slot, destinationId, held: null);
        return null;
    }
}
