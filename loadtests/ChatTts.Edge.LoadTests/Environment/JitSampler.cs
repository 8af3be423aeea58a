namespace ChatTts.Edge.LoadTests.Environment;

/// <summary>
/// Adds up the CPU time of a .NET process's tiered-compilation worker from <c>/proc</c>, read every quarter second. The
/// runtime ends that thread when it has been idle and starts a new one when there is work again, and a thread that ended
/// takes its CPU time out of <c>/proc</c>: sampling keeps what each thread used up to its last reading. While the worker
/// is busy the process is still warming up, so its CPU per event and its tail are not those of a long-running one.
/// </summary>
internal sealed class JitSampler : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    private readonly int _processId;
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<int, long> _last;
    private readonly Task _loop;
    private long _ticks;

    private JitSampler(int processId, Dictionary<int, long> first, TimeProvider time)
    {
        _processId = processId;
        _last = first;
        _loop = LoopAsync(time);
    }

    /// <summary>Starts sampling <paramref name="processId"/>, counting from now; null when <c>/proc</c> cannot tell.</summary>
    public static JitSampler? Start(int processId, TimeProvider time) =>
        ProcessStats.JitThreadTicks(processId) is { } first ? new JitSampler(processId, first, time) : null;

    /// <summary>The worker's CPU time since <see cref="Start"/>, read now.</summary>
    public TimeSpan Read()
    {
        Sample();
        lock (_lock)
        {
            return ProcessStats.FromTicks(_ticks);
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }

    private void Sample()
    {
        if (ProcessStats.JitThreadTicks(_processId) is not { } now)
        {
            return;
        }

        lock (_lock)
        {
            foreach (var (thread, ticks) in now)
            {
                _ticks += ticks - _last.GetValueOrDefault(thread); // a thread first seen now started after the last reading
                _last[thread] = ticks;
            }
        }
    }

    private async Task LoopAsync(TimeProvider time)
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                await Task.Delay(Interval, time, _stop.Token);
                Sample();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
