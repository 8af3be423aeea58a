namespace ChatTts.Edge.Backends;

/// <summary>
/// The syntheses the edge runs on each destination, by destination id: in flight (finishing ones included), finishing
/// (abandoned by the edge while the GPU may still compute them), and when each last finished a synthesis that streamed
/// audio. Kept by the edge,
/// not on YARP's <c>DestinationState</c>: a destination removed and added again by a configuration reload gets a fresh
/// state object while its old streams still run, and its cap must hold across that.
/// </summary>
internal sealed class BackendActivity(TimeProvider time)
{
    private readonly Dictionary<string, int> _inFlight = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, int> _finishing = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, long> _lastStreamed = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Held by <see cref="BackendSelector"/> while it chooses a destination and counts it, at once.</summary>
    internal Lock Gate { get; } = new();

    /// <summary>Syntheses on <paramref name="destinationId"/> now, finishing ones included.</summary>
    public int InFlight(string destinationId)
    {
        lock (Gate)
        {
            return InFlightUnlocked(destinationId);
        }
    }

    /// <summary>Syntheses on <paramref name="destinationId"/> the edge abandoned and the GPU may still be computing.</summary>
    public int Finishing(string destinationId)
    {
        lock (Gate)
        {
            return _finishing.GetValueOrDefault(destinationId);
        }
    }

    /// <summary>
    /// True when <paramref name="destinationId"/> has a synthesis in flight, or finished one that streamed audio within
    /// <paramref name="within"/>: it was working for the edge (a synthesis that failed at once says nothing of the kind).
    /// </summary>
    public bool WasBusy(string destinationId, TimeSpan within)
    {
        lock (Gate)
        {
            return InFlightUnlocked(destinationId) > 0
                || (_lastStreamed.TryGetValue(destinationId, out var streamed) && time.GetElapsedTime(streamed) <= within);
        }
    }

    /// <summary>Under <see cref="Gate"/>.</summary>
    internal int InFlightUnlocked(string destinationId) => _inFlight.GetValueOrDefault(destinationId);

    /// <summary>Counts a synthesis starting; under <see cref="Gate"/>. Returns the new count.</summary>
    internal int Take(string destinationId) => _inFlight[destinationId] = InFlightUnlocked(destinationId) + 1;

    /// <summary>Counts a synthesis the edge abandoned while the GPU may still compute it.</summary>
    internal void StartFinishing(string destinationId)
    {
        lock (Gate)
        {
            _finishing[destinationId] = _finishing.GetValueOrDefault(destinationId) + 1;
        }
    }

    /// <summary>Counts a slot given back; under <see cref="Gate"/>. Returns the syntheses left.</summary>
    internal int Give(string destinationId, bool finishing, bool streamedAudio)
    {
        if (finishing)
        {
            Decrement(_finishing, destinationId);
        }

        if (streamedAudio)
        {
            _lastStreamed[destinationId] = time.GetTimestamp();
        }

        return Decrement(_inFlight, destinationId);
    }

    private static int Decrement(Dictionary<string, int> counts, string id)
    {
        var left = counts.GetValueOrDefault(id) - 1;
        if (left > 0)
        {
            counts[id] = left;
            return left;
        }

        counts.Remove(id);
        return 0;
    }
}
