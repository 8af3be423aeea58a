using System.Buffers;
using System.Runtime.ExceptionServices;
using System.Text.Json;
using ChatTts.Edge.Audio;

namespace ChatTts.Edge.Backends;

/// <summary>
/// One synthesis call to a backend: sends the dialect's request and reads the answer to its end, handing its PCM to a
/// sink. The call outlives the client's interest in it: once <see cref="DetachAsync"/> has been called (the client went
/// away, a timeout, shutdown) it goes on reading and discarding the answer, because a ChatTTS server that keeps
/// computing after its client leaves is busy until its answer ends; <see cref="Finished"/> tells when. Its
/// <see cref="BackendLease"/> holds the GPU slot until then, for at most the destination's finishing timeout.
/// </summary>
internal sealed class BackendCall : IPcmSink, IDisposable
{
    private readonly IPcmSink _sink;
    private readonly BackendLimits _limits;
    private readonly CancellationToken _sinkToken;
    private readonly CancellationTokenSource _abort;
    private readonly SemaphoreSlim _writing = new(1, 1);
    private readonly TaskCompletionSource _sinkFailed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ExceptionDispatchInfo? _sinkFailure;
    private volatile bool _detached;
    private long _pcmBytes;

    /// <param name="sink">Receives the PCM until the call is detached.</param>
    /// <param name="sinkToken">Passed to <paramref name="sink"/>'s writes (the client's side of the call).</param>
    public BackendCall(BackendLease lease, HttpRequestMessage request, IPcmSink sink, BackendLimits limits, TimeProvider time, CancellationToken sinkToken)
    {
        _sink = sink;
        _limits = limits;
        _sinkToken = sinkToken;
        _abort = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        Finished = RunAsync(lease, request, time);
    }

    /// <summary>Completes when the backend's answer is over: read to its end, broken off, or cut by <see cref="Abort"/>.</summary>
    public Task Finished { get; }

    /// <summary>True once the backend sent any PCM (delivered or, after <see cref="DetachAsync"/>, dropped).</summary>
    public bool SentAudio => _pcmBytes > 0;

    /// <summary>
    /// Waits until the answer has been read to its end, throwing the call's <see cref="BackendException"/> or the
    /// sink's own exception (the client went away) if either came first.
    /// </summary>
    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        var first = await Task.WhenAny(Finished, _sinkFailed.Task).WaitAsync(cancellationToken);
        _sinkFailure?.Throw();
        await first;
    }

    /// <summary>
    /// Stops handing PCM to the sink; returns once no write to it is under way, so the sink may be disposed. The
    /// answer goes on being read (and dropped) until it ends or <see cref="Abort"/> cuts it.
    /// </summary>
    public async Task DetachAsync()
    {
        _detached = true;
        await _writing.WaitAsync();
        _writing.Release();
    }

    /// <summary>Cuts the call off after <paramref name="delay"/> (at once for zero) unless its answer ends first.</summary>
    public void Abort(TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            _abort.Cancel();
        }
        else
        {
            _abort.CancelAfter(delay);
        }
    }

    async ValueTask IPcmSink.WriteAsync(ReadOnlySequence<byte> pcm, CancellationToken cancellationToken)
    {
        _pcmBytes += pcm.Length;
        if (_pcmBytes > _limits.MaxPcmBytes)
        {
            throw new BackendException(BackendFailureKind.Protocol, $"the backend sent more than {_limits.MaxPcmBytes} bytes of audio; the edge ends a runaway synthesis there");
        }

        if (_detached)
        {
            return;
        }

        await _writing.WaitAsync(CancellationToken.None);
        try
        {
            if (!_detached)
            {
                await _sink.WriteAsync(pcm, _sinkToken);
            }
        }
        catch (Exception ex)
        {
            // The client side failed (it went away, or a timeout cancelled it): the answer goes on being read.
            _detached = true;
            _sinkFailure = ExceptionDispatchInfo.Capture(ex);
            _sinkFailed.TrySetResult();
        }
        finally
        {
            _writing.Release();
        }
    }

    public void Dispose()
    {
        // Only once Finished: the run uses both.
        _abort.Dispose();
        _writing.Dispose();
    }

    private async Task RunAsync(BackendLease lease, HttpRequestMessage request, TimeProvider time)
    {
        var cancellationToken = _abort.Token;
        using (request)
        {
            HttpResponseMessage response;
            try
            {
                response = await lease.SendAsync(request, cancellationToken);
            }
            catch (HttpRequestException ex) when (!cancellationToken.IsCancellationRequested)
            {
                throw new BackendException(BackendFailureKind.Connection, "the backend could not be reached", ex);
            }

            using (response)
            {
                if (!response.IsSuccessStatusCode)
                {
                    throw await BackendFailures.FromStatusAsync(response, time, cancellationToken);
                }

                try
                {
                    await lease.Dialect.ReadAudioAsync(response, this, _limits, cancellationToken);
                }
                catch (Exception ex) when (ex is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
                {
                    throw new BackendException(BackendFailureKind.Interrupted, "the backend's audio stream broke off", ex);
                }
                catch (JsonException ex)
                {
                    throw new BackendException(BackendFailureKind.Protocol, "the backend sent malformed JSON", ex);
                }
            }
        }
    }
}
