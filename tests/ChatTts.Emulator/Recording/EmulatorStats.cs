namespace ChatTts.Emulator.Recording;

/// <summary>What an instance saw: request counts, the in-flight peak, aborts, the GPU's busy time, how many
/// syntheses it ran at once and every request's fields. Thread-safe; read by tests while requests run.</summary>
internal sealed class EmulatorStats(TimeProvider timeProvider)
{
    private readonly Lock _gate = new();
    private readonly Lock _busyGate = new();
    private readonly List<SynthesisRecord> _requests = [];
    private readonly Queue<TaskCompletionSource> _abortWaiters = new();
    private int _requestCount;
    private int _inFlight;
    private int _peakInFlight;
    private int _abortedCount;
    private int _unclaimedAborts;
    private int _gpuHolders;
    private int _peakGpuHolders;
    private long _busySince;
    private TimeSpan _busyTime;
    private TaskCompletionSource _idle = Completed();

    public int RequestCount => Volatile.Read(ref _requestCount);

    public int PeakInFlight => Volatile.Read(ref _peakInFlight);

    public int AbortedCount => Volatile.Read(ref _abortedCount);

    /// <summary>The most syntheses ever computing on the GPU at once (queued requests not counted).</summary>
    public int PeakConcurrentSyntheses => Volatile.Read(ref _peakGpuHolders);

    /// <summary>Syntheses computing on the GPU now.</summary>
    public int RunningSyntheses => Volatile.Read(ref _gpuHolders);

    /// <summary>Completes when no synthesis computes (at once when none does now).</summary>
    public Task WhenIdle
    {
        get
        {
            lock (_busyGate)
            {
                return _idle.Task;
            }
        }
    }

    /// <summary>The time the GPU has been held, including the hold under way (counted up to now).</summary>
    public TimeSpan BusyTime
    {
        get
        {
            lock (_busyGate)
            {
                return _gpuHolders > 0 ? _busyTime + timeProvider.GetElapsedTime(_busySince) : _busyTime;
            }
        }
    }

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

    /// <summary>Counts the GPU as busy until the returned scope is disposed. Holds that overlap count once in the
    /// busy time and each in <see cref="PeakConcurrentSyntheses"/>.</summary>
    public GpuHoldScope HoldGpu()
    {
        lock (_busyGate)
        {
            if (_gpuHolders++ == 0)
            {
                _busySince = timeProvider.GetTimestamp();
                _idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            Volatile.Write(ref _peakGpuHolders, Math.Max(_peakGpuHolders, _gpuHolders));
        }

        return new GpuHoldScope(this);
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

    private void ReleaseGpu()
    {
        lock (_busyGate)
        {
            if (--_gpuHolders == 0)
            {
                _busyTime += timeProvider.GetElapsedTime(_busySince);
                _idle.TrySetResult();
            }
        }
    }

    private static TaskCompletionSource Completed()
    {
        var completed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        completed.SetResult();
        return completed;
    }

    internal readonly struct InFlightScope(EmulatorStats stats) : IDisposable
    {
        public void Dispose() => Interlocked.Decrement(ref stats._inFlight);
    }

    internal readonly struct GpuHoldScope(EmulatorStats stats) : IDisposable
    {
        public void Dispose() => stats.ReleaseGpu();
    }
}
