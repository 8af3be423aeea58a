using System.IO.Pipelines;

namespace ChatTts.Edge.Streaming;

/// <summary>
/// Flushes a stream's bytes to its client. A flush that does not complete at once waits for the client to take bytes (the
/// connection's buffers are full); a client that takes none for the stalled-client timeout loses its connection: it would
/// hold a GPU otherwise.
/// </summary>
internal sealed class ClientConnection(HttpContext context, TimeProvider time, TimeSpan stalledClientTimeout)
{
    public PipeWriter Output => context.Response.BodyWriter;

    /// <summary>
    /// True once the connection was closed because the client accepted no bytes for the stalled-client timeout. Set before the
    /// connection is aborted: the abort's cancellation may reach the streamer before the write's exception does.
    /// </summary>
    public bool Stalled { get; private set; }

    /// <exception cref="ClientGoneException">The client went away, or stalled and was cut off.</exception>
    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        var flush = Output.FlushAsync(cancellationToken);
        var result = flush.IsCompletedSuccessfully ? flush.Result : await WaitForClientAsync(flush, cancellationToken);
        if (result.IsCompleted || result.IsCanceled)
        {
            throw new ClientGoneException();
        }
    }

    private async ValueTask<FlushResult> WaitForClientAsync(ValueTask<FlushResult> flush, CancellationToken cancellationToken)
    {
        try
        {
            return await flush.AsTask().WaitAsync(stalledClientTimeout, time, cancellationToken);
        }
        catch (TimeoutException)
        {
            Stalled = true;
            context.Abort();
            throw new ClientGoneException("The client accepted no data for the stalled-client timeout; its connection was closed.");
        }
    }
}
