using ChatTts.Emulator.Dialects;
using ChatTts.Emulator.Recording;

namespace ChatTts.Emulator.Streaming;

/// <summary>
/// The one GPU of the emulated server. Serial (<see cref="ServerBehaviour.RunsInParallel"/> off): syntheses take turns
/// on <see cref="EmulatorOptions.Concurrency"/> slots. Parallel: each starts at once and all share the GPU, every one
/// slowed by the number running. Every synthesis counts in the busy time and the concurrency peak while it computes.
/// </summary>
internal sealed class EmulatedGpu(EmulatorOptions options, ServerBehaviour behaviour, EmulatorStats stats) : IDisposable
{
    private readonly SemaphoreSlim? _slots = behaviour.RunsInParallel ? null : new(options.Concurrency, options.Concurrency);

    /// <summary>How many times longer each step takes than alone on the GPU: the syntheses sharing it in parallel mode.</summary>
    public int Slowdown => _slots is null ? Math.Max(1, stats.RunningSyntheses) : 1;

    /// <summary>Waits for a slot (serial) and holds the GPU until the lease is disposed.</summary>
    public async Task<Lease> AcquireAsync(CancellationToken cancellationToken)
    {
        if (_slots is not null)
        {
            await _slots.WaitAsync(cancellationToken);
        }

        return new Lease(_slots, stats.HoldGpu());
    }

    /// <summary>Completes once the GPU is free for a moment: serial, when a slot comes to this caller's turn (behind
    /// the syntheses queued before it); parallel, when nothing computes.</summary>
    public async Task WaitUntilFreeAsync(CancellationToken cancellationToken)
    {
        if (_slots is null)
        {
            await stats.WhenIdle.WaitAsync(cancellationToken);
            return;
        }

        await _slots.WaitAsync(cancellationToken);
        _slots.Release();
    }

    public void Dispose() => _slots?.Dispose();

    internal sealed class Lease(SemaphoreSlim? slots, EmulatorStats.GpuHoldScope hold) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                hold.Dispose();
                slots?.Release();
            }
        }
    }
}
