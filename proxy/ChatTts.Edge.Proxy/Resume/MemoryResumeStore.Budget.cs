namespace ChatTts.Edge.Resume;

/// <summary>
/// The byte budget of <see cref="MemoryResumeStore"/>: the journals' slabs and the free ones together stay within
/// <see cref="ResumeOptions.MaxBytes"/>. A journal needing a slab takes a free one, else one freed by dropping the oldest
/// finished journal (then the oldest live one), and only then a new one. Everything here runs under the store's lock.
/// </summary>
internal sealed partial class MemoryResumeStore
{
    private long Total => _bytes + ((long)_freeSlabs.Count * SlabBytes);

    /// <summary>Copies <paramref name="payload"/> into the journal's current slab (another when it is full).</summary>
    private ReadOnlyMemory<byte> Copy(Journal journal, ReadOnlySpan<byte> payload)
    {
        if (payload.Length > SlabBytes)
        {
            var own = payload.ToArray(); // longer than any chunk_ms makes; kept alone, and dropped with its journal
            journal.Bytes += own.Length;
            _bytes += own.Length;
            return own;
        }

        if (journal.Slab is null || SlabBytes - journal.SlabUsed < payload.Length)
        {
            journal.Slab = TakeSlab(journal);
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

    private byte[] TakeSlab(Journal forJournal)
    {
        while (_freeSlabs.Count == 0 && Total + SlabBytes > options.CurrentValue.MaxBytes && Oldest(except: forJournal) is { } index)
        {
            Remove(index);
        }

        return _freeSlabs.TryPop(out var free) ? free : GC.AllocateUninitializedArray<byte>(SlabBytes);
    }

    /// <summary>Within the budget again after an append: free slabs go first, then the oldest journals.</summary>
    private void KeepWithinBudget()
    {
        var budget = options.CurrentValue.MaxBytes;
        while (Total > budget && _freeSlabs.Count > 0)
        {
            _freeSlabs.Pop();
        }

        while (Total > budget && Oldest(except: null) is { } index)
        {
            Remove(index);
            while (Total > budget && _freeSlabs.Count > 0)
            {
                _freeSlabs.Pop();
            }
        }
    }

    /// <summary>The oldest finished journal, else the oldest live one (but <paramref name="except"/>); null when none.</summary>
    private int? Oldest(Journal? except)
    {
        int? live = null;
        for (var i = 0; i < _byAge.Count; i++)
        {
            if (_byAge[i] == except)
            {
                continue;
            }

            if (_byAge[i].Ended)
            {
                return i;
            }

            live ??= i;
        }

        return live;
    }

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

    /// <summary>Drops a journal: its slabs become free (within the budget), a reader waiting on it learns it is gone.</summary>
    private void Remove(int index)
    {
        var journal = _byAge[index];
        _byAge.RemoveAt(index);
        _journals.Remove(journal.Stream);
        _bytes -= journal.Bytes;
        journal.Broken = true;
        journal.Changed?.TrySetResult();
        foreach (var slab in journal.Slabs)
        {
            if (slab.Length == SlabBytes && Total + SlabBytes <= options.CurrentValue.MaxBytes)
            {
                _freeSlabs.Push(slab);
            }
        }

        journal.Slabs.Clear();
        journal.Entries.Clear();
        journal.Slab = null;
    }
}
