using System.Threading.Channels;

namespace ChatTts.Emulator.Streaming;

/// <summary>
/// The GPU side of one synthesis: it computes the steps at the model's pace on its own, whether or not anyone reads
/// them, until the end or until its token is cancelled, so a server that keeps computing after its client left is
/// just a run nobody reads any more. The answer reads the steps as they come. Steps are slices of the cached PCM, so
/// unread ones cost nothing.
/// </summary>
internal sealed class SynthesisRun
{
    private readonly Channel<ReadOnlyMemory<byte>> _steps =
        Channel.CreateUnbounded<ReadOnlyMemory<byte>>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

    private SynthesisRun(PcmPacer pacer, Task<byte[]> pcm, CancellationToken clientGone, CancellationToken cancellationToken)
    {
        Pcm = pcm;
        Completion = ComputeAsync(pacer, clientGone, cancellationToken);
    }

    /// <summary>All of the synthesis's PCM, once computed (the steps are slices of it).</summary>
    public Task<byte[]> Pcm { get; }

    /// <summary>Completes when the last step is computed, or faults (cancelled) when the run was stopped.</summary>
    public Task Completion { get; }

    /// <param name="pacer">Paces the steps.</param>
    /// <param name="pcm">All of the synthesis's PCM.</param>
    /// <param name="clientGone">Cancelled when the client leaves (it ends a <see cref="EmulatorFaults.Stall"/>).</param>
    /// <param name="cancellationToken">Stops the computation: the client's token for a server that stops with its
    /// client, the emulator's stopping token for one that computes on.</param>
    public static SynthesisRun Start(PcmPacer pacer, Task<byte[]> pcm, CancellationToken clientGone, CancellationToken cancellationToken) =>
        new(pacer, pcm, clientGone, cancellationToken);

    /// <summary>The steps in order as they are computed; throws what stopped the run, or when
    /// <paramref name="cancellationToken"/> (the reader's) is cancelled.</summary>
    public IAsyncEnumerable<ReadOnlyMemory<byte>> ReadStepsAsync(CancellationToken cancellationToken) => _steps.Reader.ReadAllAsync(cancellationToken);

    /// <summary>Waits for the whole computation; a stopped run counts as finished.</summary>
    public async Task WaitForEndAsync()
    {
        try
        {
            await Completion;
        }
        catch (OperationCanceledException)
        {
            // Stopped early (its client left, or the emulator stops): the GPU is free from now on.
        }
    }

    private async Task ComputeAsync(PcmPacer pacer, CancellationToken clientGone, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var step in pacer.StepsAsync(Pcm, clientGone, cancellationToken))
            {
                _steps.Writer.TryWrite(step);
            }

            _steps.Writer.TryComplete();
        }
        catch (Exception e)
        {
            _steps.Writer.TryComplete(e);
            throw;
        }
    }
}
