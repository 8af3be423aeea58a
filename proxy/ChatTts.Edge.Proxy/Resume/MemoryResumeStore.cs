using Microsoft.Extensions.Options;

namespace ChatTts.Edge.Resume;

/// <summary>
/// Journals in this process, within <see cref="ResumeOptions.MaxBytes"/> in all (the oldest finished streams go first,
/// then the oldest live ones), each kept for <see cref="ResumeOptions.Retention"/> after its last event.
/// </summary>
internal sealed class MemoryResumeStore(IOptionsMonitor<ResumeOptions> options, TimeProvider time) : IResumeStore
{
    private readonly Lock _lock = new();
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

    public bool Append(string stream, JournalEntry entry)
    {
        TaskCompletionSource? changed;
        lock (_lock)
        {
            if (!_journals.TryGetValue(stream, out var journal) || journal.Broken)
            {
                return false;
            }

            journal.Entries.Add(entry);
            journal.Bytes += entry.Event.Payload.Length;
            journal.ExpiresAt = ExpiresAt();
            _bytes += entry.Event.Payload.Length;
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
            return Task.FromResult<IReadOnlyList<JournalEntry>>(count > 0 ? entries.GetRange(first, count) : []);
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
    }

    private sealed class Journal(string stream, JournalHeader header)
    {
        public string Stream { get; } = stream;

        public JournalHeader Header { get; } = header;

        public List<JournalEntry> Entries { get; } = [];

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
