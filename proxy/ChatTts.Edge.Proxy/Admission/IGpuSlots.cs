using ChatTts.Edge.Backends;

namespace ChatTts.Edge.Admission;

/// <summary>
/// The GPU slots the admission queue hands out: which destinations could take a request, and taking one. Today's are
/// <see cref="LocalGpuSlots"/>: this process counts each destination's syntheses and YARP's load balancing chooses.
/// </summary>
internal interface IGpuSlots
{
    /// <summary>
    /// Raised after a slot is given back (outside any lock), so waiting requests can take it; carries how long a
    /// synthesis held it, or null when it was given back unused.
    /// </summary>
    event Action<TimeSpan?>? SlotFreed;

    /// <summary>Takes a slot on a destination that can serve <paramref name="request"/> and has room, or says why there is none.</summary>
    BackendSelection TryTake(AdmissionRequest request);

    /// <summary>True when some destination outside <paramref name="exclude"/> could take <paramref name="speech"/> now or once it has room.</summary>
    bool HasCandidate(IReadOnlySet<string> exclude, BackendRequest speech);

    /// <summary>True when the fleet lists any destination outside <paramref name="exclude"/>, healthy or not.</summary>
    bool HasConfigured(IReadOnlySet<string> exclude);

    /// <summary>True when every configured destination can honour <paramref name="speech"/>: nothing restricts where it goes.</summary>
    bool ServesAnywhere(BackendRequest speech);

    /// <summary>Slots free now on the destinations that could take <paramref name="speech"/>.</summary>
    int Free(BackendRequest speech);

    /// <summary>Slots in all, on the destinations that can take work now.</summary>
    int Capacity();
}
