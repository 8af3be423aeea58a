using System.Buffers;
using System.Runtime.CompilerServices;
using ChatTts.Edge.Audio;
using ChatTts.Edge.Backends;

namespace ChatTts.Edge.Streaming;

/// <summary>
/// Cancels a backend attempt that sends no PCM within the first-audio timeout, or then falls silent for longer
/// than the idle timeout. Sits between the dialect's decoder and the framer; every piece of PCM rearms it.
/// </summary>
internal sealed class AudioWatchdog : IPcmSink, IDisposable
{
    private readonly IPcmSink _inner;
    private readonly TimeSpan _idleTimeout;
    private readonly CancellationTokenSource _timer;
    private readonly CancellationTokenSource _linked;
    private bool _sawAudio;

    public AudioWatchdog(IPcmSink inner, TimeSpan firstAudioTimeout, TimeSpan idleTimeout, TimeProvider time, CancellationToken requestAborted)
    {
        _inner = inner;
        _idleTimeout = idleTimeout;
        FirstAudioTimeout = firstAudioTimeout;
        _timer = new CancellationTokenSource(firstAudioTimeout, time);
        _linked = CancellationTokenSource.CreateLinkedTokenSource(requestAborted, _timer.Token);
    }

    public TimeSpan FirstAudioTimeout { get; }

    /// <summary>Cancelled when the client goes away or the backend is too slow.</summary>
    public CancellationToken Token => _linked.Token;

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask WriteAsync(ReadOnlySequence<byte> pcm, CancellationToken cancellationToken)
    {
        // Only the backend's silence counts: time spent handing audio to a slow client does not.
        _sawAudio = true;
        _timer.CancelAfter(Timeout.InfiniteTimeSpan);
        await _inner.WriteAsync(pcm, cancellationToken);
        _timer.CancelAfter(_idleTimeout);
    }

    /// <summary>The failure to report when <see cref="Token"/> was cancelled by a timeout rather than the client.</summary>
    public BackendException? TimedOut(CancellationToken requestAborted) =>
        !_timer.IsCancellationRequested || requestAborted.IsCancellationRequested
            ? null
            : new BackendException(BackendFailureKind.Timeout, _sawAudio
                ? $"the backend sent no audio for {_idleTimeout.TotalSeconds:0.#} s"
                : $"the backend sent no audio within {FirstAudioTimeout.TotalSeconds:0.#} s");

    public void Dispose()
    {
        _linked.Dispose();
        _timer.Dispose();
    }
}
