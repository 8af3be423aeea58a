namespace ChatTts.Edge.Backends;

/// <summary>Whoever counts a destination's slots: told when a lease's synthesis is abandoned and when the lease ends.</summary>
internal interface IBackendLeaseOwner
{
    /// <summary>The edge abandoned the lease's synthesis while the GPU may still compute it; the slot stays taken.</summary>
    void Finishing(BackendLease lease);

    /// <summary>The lease is over: its slot is free.</summary>
    void Release(BackendLease lease, LeaseEnd end);
}

/// <summary>How a lease ended.</summary>
/// <param name="Held">From taking the slot to giving it back.</param>
/// <param name="Used">A synthesis was sent on it.</param>
/// <param name="Finished">It had been abandoned while the GPU still computed (see <see cref="IBackendLeaseOwner.Finishing"/>).</param>
/// <param name="SentAudio">The backend streamed audio on it.</param>
internal readonly record struct LeaseEnd(TimeSpan Held, bool Used, bool Finished, bool SentAudio);
