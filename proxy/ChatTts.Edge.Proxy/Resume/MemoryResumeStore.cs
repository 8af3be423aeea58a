using ChatTts.Edge.Streaming;
using Microsoft.Extensions.Options;

namespace ChatTts.Edge.Resume;

/// <summary>
/// Journals in this process, within <see cref="ResumeOptions.MaxBytes"/> in all (the oldest finished streams go first,
/// then the oldest live ones), each kept for <see cref="ResumeOptions.Retention"/> after its last event. Payloads are
/// copied into slabs of <see cref="SlabBytes"/> that go back to a free list when their journal goes, so a busy edge keeps
/// recording without garbage; a reader gets copies (a slab may hold another stream's audio once reused).
/// </summary>
internal sealed class MemoryResumeStore(IOptionsMonitor<ResumeOptions> options, TimeProvider time) : IResumeStore
{
    /// <summary>128 KiB: some 13 audio events of 200 ms; on the large object heap, so the GC never copies a slab.</summary>
    public const int SlabBytes = 128 << 10;

    private readonly Lock _lock = new();
    private readonly Stack<byte[]> _freeSlabs = new();
    private readonly Dictionary<string, Journal> _journals = new(StringComparer.Ordinal);
    private readonly List<Journal> _byAge = [];
    private long _bytes;

    /// <summary>Bytes kept now, for tests.</summary>
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
            journal.Changed = NewSignal();
            KeepWithinBudget();
        }

        changed.TrySetResult();
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

    /// <summary>Copies <paramref name="payload"/> into the journal's current slab (a new one when it is full). Called under the lock.</summary>
    private ReadOnlyMemory<byte> Copy(Journal journal, ReadOnlySpan<byte> payload)
    {
        if (payload.Length > SlabBytes)
        {
            var own = payload.ToArray(); // longer than any chunk_ms makes; kept alone
            journal.Bytes += own.Length;
            _bytes += own.Length;
            return own;
        }

        if (journal.Slab is null || SlabBytes - journal.SlabUsed < payload.Length)
        {
            journal.Slab = _freeSlabs.TryPop(out var free) ? free : GC.AllocateUninitializedArray<byte>(SlabBytes);
            journal.Slabs.Add(journal.Slab);
            journal.SlabUsed = 0;
            journal.Bytes += SlabBytes;
            _bytes += SlabBytes;
        }

        var slice = journal.Slab.AsMemory(journal.SlabUsed, payload.Length);
        payload.CopyTo(slice.Span);
        journal.SlabUsed += payload.Length;
        return slice;
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

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

    /// <summary>Called under the lock.</summary>
    private void RemoveExpired()
    {
        var now = time.GetTimestamp();
        for (var i = _byAge.Count - 1; i >= 0; i--)
        {
            if (_byAge[i].ExpiresAt <= now)
            {
                Remove(i);
            }
        }
    }

    /// <summary>Called under the lock.</summary>
    private void KeepWithinBudget()
    {
        var budget = options.CurrentValue.MaxBytes;
        for (var i = 0; i < _byAge.Count && _bytes > budget; i++)
        {
            if (_byAge[i].Ended)
            {
                Remove(i--);
            }
        }

        while (_bytes > budget && _byAge.Count > 0)
        {
            Remove(0);
        }
    }

    private void Remove(int index)
    {
        var journal = _byAge[index];
        _byAge.RemoveAt(index);
        _journals.Remove(journal.Stream);
        _bytes -= journal.Bytes;
        journal.Broken = true;
        journal.Changed.TrySetResult();
        foreach (var slab in journal.Slabs)
        {
            // Kept for reuse while the kept and the free slabs fit the budget together.
            if (slab.Length == SlabBytes && _bytes + ((_freeSlabs.Count + 1L) * SlabBytes) <= options.CurrentValue.MaxBytes)
            {
                _freeSlabs.Push(slab);
            }
        }

        journal.Slabs.Clear();
        journal.Entries.Clear();
    }

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

        public TaskCompletionSource Changed { get; set; } = NewSignal();
    }

    private sealed class EntryOrder : IComparer<JournalEntry>
    {
        public static readonly EntryOrder Instance = new();

        public int Compare(JournalEntry x, JournalEntry y) => x.Position.CompareTo(y.Position);
    }
}
