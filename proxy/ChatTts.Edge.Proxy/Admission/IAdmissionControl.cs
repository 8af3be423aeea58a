using ChatTts.Edge.Backends;

namespace ChatTts.Edge.Admission;

/// <summary>
/// Admission control in front of the GPUs: a slot at once, or a place in the queue until one frees. The
/// <see cref="AdmissionQueue"/> of this process (<c>Edge:Admission:Store=Local</c>), or the fleet-wide one every replica
/// shares through Redis (<see cref="Fleet.FleetAdmission"/>, <c>Store=Redis</c>).
/// </summary>
internal interface IAdmissionControl
{
    /// <summary>Requests waiting now (fleet-wide for the fleet's queue, as last seen).</summary>
    int Length { get; }

    /// <summary>Waiting requests of this process that <paramref name="destinationId"/> could serve.</summary>
    int WaitingFor(string destinationId);

    /// <summary>
    /// GPU slots that could take <paramref name="speech"/> now, fleet-wide where the slots are the fleet's: the free slots
    /// of the destinations that can honour it, less the requests already waiting (they take free slots first). An
    /// estimate for sizing work (how many segments a long text is cut into), not a promise of a slot.
    /// </summary>
    ValueTask<int> FreeSlotsAsync(BackendRequest speech);

    /// <summary>
    /// Gets a backend slot for <paramref name="request"/>, waiting in the queue when every backend is at its cap.
    /// <paramref name="observer"/> hears the request's place while it waits; if it throws, the request leaves.
    /// </summary>
    Task<Admission> AdmitAsync(AdmissionRequest request, IQueueObserver observer, CancellationToken cancellationToken);
}
