namespace ChatTts.Emulator.Recording;

/// <summary>What an instance saw: request counts, the in-flight peak, aborts and every request's fields.
/// Thread-safe; read by tests while requests run.</summary>
internal sealed class EmulatorStats
{
    private readonly Lock _gate = new();
    private readonly List<SynthesisRecord> _requests = [];
    private readonly Queue<TaskCompletionSource> _abortWaiters = new();
    private int _requestCount;
    private int _inFlight;
    private int _peakInFlight;
    private int _abortedCount;
    private int _unclaimedAborts;

    public int RequestCount => Volatile.Read(ref _requestCount);

    public int PeakInFlight => Volatile.Read(ref _peakInFlight);

    public int AbortedCount => Volatile.Read(ref _abortedCount);

    public IReadOnlyList<SynthesisRecord> Requests
    {
        get
        {
            lock (_gate)
            {
                return _requests.ToArray();
            }
        }
    }

    /// <summary>Counts a synthesis request and keeps it in flight until the returned scope is disposed.</summary>
    public InFlightScope Enter()
    {
        Interlocked.Increment(ref _requestCount);
        var now = Interlocked.Increment(ref _inFlight);
        var peak = Volatile.Read(ref _peakInFlight);
        while (now > peak)
        {
            var seen = Interlocked.CompareExchange(ref _peakInFlight, now, peak);
            if (seen == peak)
            {
                break;
            }

            peak = seen;
        }

        return new InFlightScope(this);
    }

    public void Record(SynthesisRecord record)
    {
        lock (_gate)
        {
            _requests.Add(record);
        }
    }

    public void RecordAbort()
    {
        Interlocked.Increment(ref _abortedCount);
        lock (_gate)
        {
            while (_abortWaiters.TryDequeue(out var waiter))
            {
                if (waiter.TrySetResult())
                {
                    return;
                }
            }

            _unclaimedAborts++;
        }
    }

    public async Task WaitForAbortAsync(CancellationToken cancellationToken)
    {
        TaskCompletionSource waiter;
        lock (_gate)
        {
            if (_unclaimedAborts > 0)
            {
                _unclaimedAborts--;
                return;
            }

            waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _abortWaiters.Enqueue(waiter);
        }

        using (cancellationToken.UnsafeRegister(static (state, token) => ((TaskCompletionSource)state!).TrySetCanceled(token), waiter))
        {
            await waiter.Task;
        }
    }

    internal readonly struct InFlightScope(EmulatorStats stats) : IDisposable
    {
        public void Dispose() => Interlocked.Decrement(ref stats._inFlight);
    }
}
