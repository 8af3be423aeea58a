using System.Runtime.CompilerServices;
using ChatTts.Emulator.Wav;

namespace ChatTts.Emulator.Streaming;

/// <summary>Releases PCM the way ChatTTS generates it: nothing for <see cref="EmulatorOptions.FirstChunkDelay"/>,
/// then steps of <see cref="EmulatorOptions.StepSamples"/>, each later step after
/// <see cref="EmulatorOptions.RealTimeFactor"/> × its duration, times <see cref="EmulatedGpu.Slowdown"/> when
/// syntheses share the GPU. Freezes while <see cref="EmulatorFaults.Stall"/> is set, until the client leaves.</summary>
internal sealed class PcmPacer(EmulatorOptions options, EmulatorFaults faults, EmulatedGpu gpu)
{
    /// <param name="pcmTask">All of the synthesis's PCM.</param>
    /// <param name="clientGone">Cancelled when the client leaves; it ends a stall.</param>
    /// <param name="cancellationToken">Stops the computation.</param>
    public async IAsyncEnumerable<ReadOnlyMemory<byte>> StepsAsync(
        Task<byte[]> pcmTask, CancellationToken clientGone, [EnumeratorCancellation] CancellationToken cancellationToken)
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
                await StallAsync(clientGone, cancellationToken);
            }

            yield return pcm.AsMemory(offset, length);
        }
    }

    // Nothing until the client leaves; then a server that computes on (its computation not stopped with the client)
    // goes on with the rest of the synthesis, and one that stops ends here.
    private async Task StallAsync(CancellationToken clientGone, CancellationToken cancellationToken)
    {
        using var either = CancellationTokenSource.CreateLinkedTokenSource(clientGone, cancellationToken);
        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, options.TimeProvider, either.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The client left; the computation goes on.
        }
    }

    private Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken) =>
        delay > TimeSpan.Zero ? Task.Delay(delay * gpu.Slowdown, options.TimeProvider, cancellationToken) : Task.CompletedTask;
}
