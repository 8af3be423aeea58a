using ChatTts.Edge.Backends;

namespace ChatTts.Edge.Admission.Fleet;

/// <summary>
/// One GPU slot this replica holds in the fleet's count: its end is counted by the <see cref="BackendSelector"/> (this
/// process's view) and then given back in Redis, when the GPU is done (a lease abandoned while the GPU computes on
/// ends only when it stops).
/// </summary>
internal sealed class FleetSlot(FleetAdmission fleet, BackendSelector backends, string leaseId) : IBackendLeaseOwner
{
    public string LeaseId { get; } = leaseId;

    public void Finishing(BackendLease lease) => backends.Finishing(lease);

    public void Release(BackendLease lease, LeaseEnd end)
    {
        backends.Release(lease, end);
        fleet.Released(this, lease.DestinationId, end.Used ? end.Held : null);
    }
}

/// <summary>
/// The slots a replica uses on its own while Redis is unreachable (<c>FailureMode=LocalShare</c>): its share of each
/// GPU's cap. They are still recorded as the fleet's, so that once Redis answers again they count there until they end.
/// </summary>
internal sealed class FallbackSlots(FleetAdmission fleet, BackendSelector backends, double share) : IGpuSlots
{
    public event Action<TimeSpan?>? SlotFreed
    {
        add => backends.SlotFreed += value;
        remove => backends.SlotFreed -= value;
    }

    public BackendSelection TryTake(AdmissionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var slot = fleet.NewSlot();
        var selection = backends.TryAcquire(request.Context, request.Exclude, request.Speech, share, slot);
        if (selection.Lease is { } lease)
        {
            fleet.Track(slot, lease.DestinationId);
        }

        return selection;
    }

    public bool HasCandidate(IReadOnlySet<string> exclude, BackendRequest speech) => backends.HasCandidate(exclude, speech);

    public bool HasConfigured(IReadOnlySet<string> exclude) => backends.HasConfigured(exclude);

    public bool ServesAnywhere(BackendRequest speech) => backends.ServesAnywhere(speech);

    public int Free(BackendRequest speech) => backends.Free(speech, share);

    public int Capacity() => backends.Capacity(share);
}
