using ChatTts.Edge.Backends;

namespace ChatTts.Edge.Admission;

/// <summary>The GPU slots of this process: <see cref="BackendSelector"/> counts them and picks with YARP's load balancing.</summary>
internal sealed class LocalGpuSlots(BackendSelector backends) : IGpuSlots
{
    public event Action<TimeSpan?>? SlotFreed
    {
        add => backends.SlotFreed += value;
        remove => backends.SlotFreed -= value;
    }

    public BackendSelection TryTake(AdmissionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return backends.TryAcquire(request.Context, request.Exclude, request.Speech);
    }

    public bool HasCandidate(IReadOnlySet<string> exclude, BackendRequest speech) => backends.HasCandidate(exclude, speech);

    public bool HasConfigured(IReadOnlySet<string> exclude) => backends.HasConfigured(exclude);

    public bool ServesAnywhere(BackendRequest speech) => backends.ServesAnywhere(speech);

    public int Capacity() => backends.Capacity();
}
