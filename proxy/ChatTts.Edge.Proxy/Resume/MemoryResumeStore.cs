using ChatTts.Edge.Streaming;
using Microsoft.Extensions.Options;

namespace ChatTts.Edge.Resume;

/// <summary>
/// Journals in this process, within <see cref="ResumeOptions.MaxBytes"/> in all (the oldest finished streams go first,
/// then the oldest live ones), each kept for <see cref="ResumeOptions.Retention"/> after its last event. Payloads are
/// copied into slabs of <see cref="SlabBytes"/> that go to a free list when their journal goes and are taken from it
/// before any new one, so a busy edge records without garbage; readers get copies (a reused slab holds another stream's
/// audio).
/// </summary>
internal sealed partial class MemoryResumeStore(IOptionsMonitor<ResumeOptions> options, TimeProvider time) : IResumeStore
{
    /// <summary>128 KiB: some 13 audio events of 200 ms; on the large object heap, so the GC never copies a slab.</summary>
    public const int SlabBytes = 128 << 10;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Journal> _journals = new(StringComparer.Ordinal);
    private readonly List<Journal> _byAge = [];
    private readonly Stack<byte[]> _freeSlabs = new();
    private long _bytes;

    /// <summary>Bytes the journals hold now (free slabs not counted), for tests.</summary>
    public long Bytes
    {
        get
        {
            lock (_lock)
            {
                return _bytes;
            }
        }
    }

    public void Begin(string stream, JournalHeader header)
    {
        lock (_lock)
        {
            RemoveExpired();
            var journal = new Journal(stream, header) { ExpiresAt = ExpiresAt() };
            _journals[stream] = journal;
            _byAge.Add(journal);
        }
    }

    public bool Append(string stream, JournalPosition position, RecordedEvent recorded, ReadOnlySpan<byte> payload)
    {
        TaskCompletionSource? changed;
        lock (_lock)
        {
            if (!_journals.TryGetValue(stream, out var journal) || journal.Broken)
            {
                return false;
            }

            journal.Entries.Add(new JournalEntry(position, recorded with { Payload = Copy(journal, payload) }));
            journal.ExpiresAt = ExpiresAt();
            changed = journal.Changed;
            journal.Changed = null;
            KeepWithinBudget();
        }

        changed?.TrySetResult();
        return true;
    }

    public void Break(string stream) => Update(stream, static j => j.Broken = true);

    public void End(string stream) => Update(stream, static j => j.Ended = true);

    public Task<JournalHeader?> FindAsync(string stream, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult(Live(stream) is { Broken: false } journal ? journal.Header : null);
        }
    }

    public Task<ResumeClaim?> ClaimAsync(string stream, ResumeClaim claim, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (Live(stream) is not { } journal)
            {
                return Task.FromResult<ResumeClaim?>(null);
            }

            journal.Claim ??= claim;
            return Task.FromResult<ResumeClaim?>(journal.Claim);
        }
    }

    public Task<IReadOnlyList<JournalEntry>> ReadAsync(string stream, JournalPosition after, int max, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (Live(stream) is not { Broken: false } journal)
            {
                throw new ResumeLostException("The stream's journal is no longer kept.");
            }

            var entries = journal.Entries;
            var first = entries.BinarySearch(new JournalEntry(after, default), EntryOrder.Instance);
            first = first >= 0 ? first + 1 : ~first;
            var count = Math.Min(max, entries.Count - first);
            var copies = new List<JournalEntry>(Math.Max(count, 0));
            for (var i = first; i < first + count; i++)
            {
                copies.Add(entries[i] with { Event = entries[i].Event with { Payload = entries[i].Event.Payload.ToArray() } });
            }

            return Task.FromResult<IReadOnlyList<JournalEntry>>(copies);
        }
    }

    public async Task WaitAsync(string stream, TimeSpan wait, CancellationToken cancellationToken)
    {
        Task changed;
        lock (_lock)
        {
            if (Live(stream) is not { } journal)
            {
                return;
            }

            journal.Changed ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            changed = journal.Changed.Task;
        }

        try
        {
            await changed.WaitAsync(wait, time, cancellationToken);
        }
        catch (TimeoutException)
        {
            // Nothing new within the wait: the reader decides.
        }
    }

    private long ExpiresAt() => time.GetTimestamp() + (long)(options.CurrentValue.Retention.TotalSeconds * time.TimestampFrequency);

    private void Update(string stream, Action<Journal> change)
    {
        lock (_lock)
        {
            if (_journals.TryGetValue(stream, out var journal))
            {
                change(journal);
                journal.ExpiresAt = ExpiresAt();
            }
        }
    }

    /// <summary>The journal if it is kept and has not expired. Called under the lock.</summary>
    private Journal? Live(string stream) =>
        _journals.TryGetValue(stream, out var journal) && journal.ExpiresAt > time.GetTimestamp() ? journal : null;

    private sealed class Journal(string stream, JournalHeader header)
    {
        public string Stream { get; } = stream;

        public JournalHeader Header { get; } = header;

        public List<JournalEntry> Entries { get; } = [];

        public List<byte[]> Slabs { get; } = [];

        public byte[]? Slab { get; set; }

        public int SlabUsed { get; set; }

        public long Bytes { get; set; }

        public long ExpiresAt { get; set; }

        public bool Ended { get; set; }

        public bool Broken { get; set; }

        public ResumeClaim? Claim { get; set; }

        /// <summary>Completed by the next append; made only while a reader waits.</summary>
        public TaskCompletionSource? Changed { get; set; }
    }

    private sealed class EntryOrder : IComparer<JournalEntry>
    {
        public static readonly EntryOrder Instance = new();

        public int Compare(JournalEntry x, JournalEntry y) => x.Position.CompareTo(y.Position);
    }
}
