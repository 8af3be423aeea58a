using System.Buffers;
using System.Runtime.CompilerServices;
using ChatTts.Edge.Audio;
using ChatTts.Edge.Backends;

namespace ChatTts.Edge.Streaming;

/// <summary>
/// Cancels a backend attempt that delivers no audio within the first-audio timeout, or then makes no progress for
/// longer than the idle timeout. Progress is audio, not bytes: at least <see cref="StreamingDefaults.MinProgressSamples"/>
/// samples since the last progress, so a backend dribbling out a byte now and then cannot hold a GPU slot forever.
/// Sits between the dialect's decoder and the framer.
/// </summary>
internal sealed class AudioWatchdog : IPcmSink, IDisposable
{
    private const int MinProgressBytes = StreamingDefaults.MinProgressSamples * PcmFormat.BytesPerSample;

    private readonly IPcmSink _inner;
    private readonly TimeSpan _idleTimeout;
    private readonly CancellationTokenSource _timer;
    private readonly CancellationTokenSource _linked;
    private long _sinceProgress;
    private bool _progressed;

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
        _sinceProgress += pcm.Length;
        if (_sinceProgress < MinProgressBytes)
        {
            await _inner.WriteAsync(pcm, cancellationToken); // not progress yet: the clock keeps running
            return;
        }

        // Progress. Only the backend's silence counts: time spent handing audio to a slow client does not.
        _sinceProgress = 0;
        _progressed = true;
        _timer.CancelAfter(Timeout.InfiniteTimeSpan);
        await _inner.WriteAsync(pcm, cancellationToken);
        _timer.CancelAfter(_idleTimeout);
    }

    /// <summary>The failure to report when <see cref="Token"/> was cancelled by a timeout rather than the client.</summary>
    public BackendException? TimedOut(CancellationToken requestAborted) =>
        !_timer.IsCancellationRequested || requestAborted.IsCancellationRequested
            ? null
            : new BackendException(BackendFailureKind.Timeout, _progressed
                ? $"the backend sent no audio for {_idleTimeout.TotalSeconds:0.#} s"
                : $"the backend sent no audio within {FirstAudioTimeout.TotalSeconds:0.#} s");

    public void Dispose()
    {
        _linked.Dispose();
        _timer.Dispose();
    }
}
