using ChatTts.Edge.Streaming;

namespace ChatTts.Edge.Resume;

/// <summary>Who may resume a stream: the caller and the request that started it.</summary>
/// <param name="Fingerprint">A hash of the request's text and of every field that shapes its audio.</param>
internal sealed record JournalHeader(string RequestId, string KeyId, string Fingerprint);

/// <summary>
/// Where an event sits in its stream's journal: audio <c>seq</c> N is (N+1, 0); the events after it, before audio N+1,
/// are (N+1, 1), (N+1, 2)…; events before the first audio (0, 1), (0, 2)… "After audio N" is after (N+1, 0).
/// </summary>
internal readonly record struct JournalPosition(long Major, long Minor) : IComparable<JournalPosition>
{
    public static JournalPosition AfterAudio(long seq) => new(seq + 1, 0);

    public int CompareTo(JournalPosition other) => Major != other.Major ? Major.CompareTo(other.Major) : Minor.CompareTo(other.Minor);

    public override string ToString() => FormattableString.Invariant($"{Major}-{Minor}");
}

/// <summary>One recorded event at its place.</summary>
internal readonly record struct JournalEntry(JournalPosition Position, RecordedEvent Event);

/// <summary>Who decided the fate of a stream whose client left: a resume attached to it, or its replica gave it up.</summary>
internal enum ResumeClaim
{
    Attached,
    Abandoned,
}

/// <summary>
/// The journals of resumable streams: in memory, or in Redis for every replica. Writes come from the audio path: they
/// return at once and keep each stream's order; a write that cannot be kept breaks that stream's journal (it is no
/// longer resumable) and never fails the stream.
/// </summary>
internal interface IResumeStore
{
    /// <summary>Starts the journal of <paramref name="stream"/>; its events follow.</summary>
    void Begin(string stream, JournalHeader header);

    /// <summary>
    /// Appends <paramref name="recorded"/> (its own payload ignored) with <paramref name="payload"/>, which the store copies;
    /// false when it could not be kept.
    /// </summary>
    bool Append(string stream, JournalPosition position, RecordedEvent recorded, ReadOnlySpan<byte> payload);

    /// <summary>The stream cannot be resumed any more (its journal lost an event or grew too large).</summary>
    void Break(string stream);

    /// <summary>The stream ended (its last event is appended, or it was cancelled).</summary>
    void End(string stream);

    /// <summary>The header of a journal that is kept and whole; null otherwise.</summary>
    Task<JournalHeader?> FindAsync(string stream, CancellationToken cancellationToken);

    /// <summary>Claims the stream's fate unless claimed already; the claim that stands (null: no such journal).</summary>
    Task<ResumeClaim?> ClaimAsync(string stream, ResumeClaim claim, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="max"/> events after <paramref name="after"/>, in order (payloads of their own); none when none came yet.</summary>
    /// <exception cref="ResumeLostException">The journal is gone or broken.</exception>
    Task<IReadOnlyList<JournalEntry>> ReadAsync(string stream, JournalPosition after, int max, CancellationToken cancellationToken);

    /// <summary>Waits, at most <paramref name="wait"/>, for events after a read that found none.</summary>
    Task WaitAsync(string stream, TimeSpan wait, CancellationToken cancellationToken);
}

/// <summary>A resumed stream cannot go on: its journal is gone or broken, or its events stopped coming.</summary>
internal sealed class ResumeLostException : Exception
{
    public ResumeLostException()
    {
    }

    public ResumeLostException(string message)
        : base(message)
    {
    }

    public ResumeLostException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
