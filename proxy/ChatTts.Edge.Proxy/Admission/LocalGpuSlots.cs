using ChatTts.Edge.Backends;

namespace ChatTts.Edge.Admission;

/// <summary>
/// The GPU slots of this process: <see cref="BackendSelector"/> counts them and picks with YARP's load balancing.
/// <paramref name="share"/> is the part of each destination's cap this process may use: all of it alone, a share of it
/// while the fleet's count in Redis cannot be reached.
/// </summary>
internal sealed class LocalGpuSlots(BackendSelector backends, double share = 1) : IGpuSlots
{
    public event Action<TimeSpan?>? SlotFreed
    {
        add => backends.SlotFreed += value;
        remove => backends.SlotFreed -= value;
    }

    public BackendSelection TryTake(AdmissionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return backends.TryAcquire(request.Context, request.Exclude, request.Speech, share);
    }

    public bool HasCandidate(IReadOnlySet<string> exclude, BackendRequest speech) => backends.HasCandidate(exclude, speech);

    public bool HasConfigured(IReadOnlySet<string> exclude) => backends.HasConfigured(exclude);

    public bool ServesAnywhere(BackendRequest speech) => backends.ServesAnywhere(speech);

    public int Free(BackendRequest speech) => backends.Free(speech, share);

    public int Capacity() => backends.Capacity(share);
}
