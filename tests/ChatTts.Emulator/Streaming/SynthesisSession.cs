namespace ChatTts.Emulator.Streaming;

/// <summary>How one synthesis ended, so the endpoint can tell a client that went away from a
/// connection the emulator killed on purpose.</summary>
internal sealed class SynthesisSession
{
    private volatile bool _completed;
    private volatile bool _killedByFault;
    private volatile bool _clientGoneRecorded;

    /// <summary>Every byte of the answer was handed to the server.</summary>
    public bool Completed { get => _completed; set => _completed = value; }

    /// <summary>The connection was aborted by <see cref="EmulatorFaults.DieAfterBytes"/>.</summary>
    public bool KilledByFault { get => _killedByFault; set => _killedByFault = value; }

    /// <summary>The client's departure is already counted (as soon as it was seen, before a synthesis that keeps
    /// computing ends).</summary>
    public bool ClientGoneRecorded { get => _clientGoneRecorded; set => _clientGoneRecorded = value; }
}
