using System.Buffers;
using System.Runtime.CompilerServices;
using ChatTts.Edge.Audio;

namespace ChatTts.Edge.Streaming;

/// <summary>Receives fixed-duration frames of whole samples, each in a buffer with room for a WAV header.</summary>
internal interface IAudioFrameSink
{
    /// <param name="wav">The first <see cref="WavHeader.Size"/> bytes are free for the header; PCM follows.</param>
    /// <param name="samples">Samples of PCM after the header.</param>
    ValueTask WriteFrameAsync(Memory<byte> wav, int samples, CancellationToken cancellationToken);
}

/// <summary>
/// Cuts a PCM stream that arrives in pieces of any size into frames of exactly <c>frameSamples</c> samples
/// (the last one may be shorter), so every frame is whole samples whatever the backend's chunking.
/// A pooled buffer is held only while a frame is being filled and sent: between a GPU's steps (seconds apart) an open
/// stream holds no audio buffer, which is most of what ten thousand open streams would otherwise keep in memory.
/// </summary>
internal sealed class PcmFramer : IPcmSink, IDisposable
{
    private readonly IAudioFrameSink _sink;
    private readonly int _frameBytes;
    private byte[]? _buffer;
    private int _filled;
    private bool _disposed;

    public PcmFramer(int frameSamples, IAudioFrameSink sink)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(frameSamples, 1);
        _sink = sink;
        _frameBytes = frameSamples * PcmFormat.BytesPerSample;
    }

    /// <summary>PCM bytes received from the backend so far.</summary>
    public long ReceivedBytes { get; private set; }

    /// <summary>A trailing half sample that <see cref="CompleteAsync"/> had to drop (0 or 1 byte).</summary>
    public int DroppedBytes { get; private set; }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask WriteAsync(ReadOnlySequence<byte> pcm, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ReceivedBytes += pcm.Length;
        foreach (var segment in pcm)
        {
            var source = segment;
            while (!source.IsEmpty)
            {
                var buffer = _buffer ??= ArrayPool<byte>.Shared.Rent(WavHeader.Size + _frameBytes);
                var take = Math.Min(source.Length, _frameBytes - _filled);
                source.Span[..take].CopyTo(buffer.AsSpan(WavHeader.Size + _filled));
                _filled += take;
                source = source[take..];
                if (_filled == _frameBytes)
                {
                    await FlushFrameAsync(buffer, _filled, cancellationToken);
                }
            }
        }
    }

    /// <summary>Emits the last, possibly shorter, frame; an odd trailing byte (half a sample) is dropped.</summary>
    public async ValueTask CompleteAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var whole = _filled - (_filled % PcmFormat.BytesPerSample);
        DroppedBytes = _filled - whole;
        if (whole > 0 && _buffer is { } buffer)
        {
            await FlushFrameAsync(buffer, whole, cancellationToken);
        }

        _filled = 0;
        ReturnBuffer();
    }

    public void Dispose()
    {
        _disposed = true;
        ReturnBuffer();
    }

    /// <summary>Sends a frame, then gives its buffer back to the pool (the next frame rents one when its PCM comes).</summary>
    private async ValueTask FlushFrameAsync(byte[] buffer, int pcmBytes, CancellationToken cancellationToken)
    {
        _filled = 0;
        await _sink.WriteFrameAsync(buffer.AsMemory(0, WavHeader.Size + pcmBytes), pcmBytes / PcmFormat.BytesPerSample, cancellationToken);
        ReturnBuffer();
    }

    private void ReturnBuffer()
    {
        if (_buffer is { } buffer)
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
