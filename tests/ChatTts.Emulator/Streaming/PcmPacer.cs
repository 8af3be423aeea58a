using System.Runtime.CompilerServices;
using ChatTts.Emulator.Wav;

namespace ChatTts.Emulator.Streaming;

/// <summary>Releases PCM the way ChatTTS generates it: nothing for <see cref="EmulatorOptions.FirstChunkDelay"/>,
/// then steps of <see cref="EmulatorOptions.StepSamples"/>, each later step after
/// <see cref="EmulatorOptions.RealTimeFactor"/> × its duration, times <see cref="EmulatedGpu.Slowdown"/> when
/// syntheses share the GPU. Freezes while <see cref="EmulatorFaults.Stall"/> is set.</summary>
internal sealed class PcmPacer(EmulatorOptions options, EmulatorFaults faults, EmulatedGpu gpu)
{
    public async IAsyncEnumerable<ReadOnlyMemory<byte>> StepsAsync(Task<byte[]> pcmTask, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await faults.WhenReleased.WaitAsync(cancellationToken);
        await DelayAsync(options.FirstChunkDelay, cancellationToken);
        var pcm = await pcmTask.WaitAsync(cancellationToken);
        var stepBytes = options.StepSamples * PcmFormat.BytesPerSample;
        for (var offset = 0; offset < pcm.Length; offset += stepBytes)
        {
            var length = Math.Min(stepBytes, pcm.Length - offset);
            if (offset > 0)
            {
                await DelayAsync(PcmFormat.Duration(length) * options.RealTimeFactor, cancellationToken);
            }

            if (faults.Stall)
            {
                await StallAsync(cancellationToken);
            }

            yield return pcm.AsMemory(offset, length);
        }
    }

    /// <summary>Waits until the request is cancelled (the client went away or the emulator stops); never returns normally.</summary>
    public Task StallAsync(CancellationToken cancellationToken) =>
        Task.Delay(Timeout.InfiniteTimeSpan, options.TimeProvider, cancellationToken);

    private Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken) =>
        delay > TimeSpan.Zero ? Task.Delay(delay * gpu.Slowdown, options.TimeProvider, cancellationToken) : Task.CompletedTask;
}
