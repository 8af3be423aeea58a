using System.Buffers;
using ChatTts.Edge.Admission;
using ChatTts.Edge.Audio;
using ChatTts.Edge.Streaming;

namespace ChatTts.Edge.Replay;

/// <summary>
/// An output that copies the PCM of every frame a cacheable run writes into one growing pooled buffer on its way to
/// the client's output, up to <c>maxBytes</c> (then it stops recording: such a stream is not stored). <see cref="Release"/> gives the buffer back.
/// </summary>
internal sealed class PcmRecorder(ISegmentedOutput inner, int maxBytes) : ISegmentedOutput
{
    private const int InitialBytes = 64 * 1024;

    private byte[]? _buffer;
    private int _length;
    private bool _overflowed;

    public string RequestId => inner.RequestId;

    public long FramesWritten => inner.FramesWritten;

    public long? FirstAudioTimestamp => inner.FirstAudioTimestamp;

    public long SamplesSent => inner.SamplesSent;

    /// <summary>The PCM recorded so far; null once it grew past the limit.</summary>
    public ReadOnlyMemory<byte>? Recorded => _overflowed ? default(ReadOnlyMemory<byte>?) : _buffer.AsMemory(0, _length);

    public ValueTask WriteFrameAsync(Memory<byte> wav, int samples, CancellationToken cancellationToken)
    {
        if (!_overflowed)
        {
            Append(wav.Span.Slice(WavHeader.Size, samples * PcmFormat.BytesPerSample));
        }

        return inner.WriteFrameAsync(wav, samples, cancellationToken);
    }

    public ValueTask QueuedAsync(QueueNotice notice, CancellationToken cancellationToken) => inner.QueuedAsync(notice, cancellationToken);

    public ValueTask AdmittedAsync(CancellationToken cancellationToken) => inner.AdmittedAsync(cancellationToken);

    public ValueTask WriteSegmentAsync(SegmentStart segment, CancellationToken cancellationToken) => inner.WriteSegmentAsync(segment, cancellationToken);

    /// <summary>Stops recording and gives the buffer back to the pool (what <see cref="Recorded"/> returned is then invalid).</summary>
    public void Release()
    {
        _overflowed = true;
        ReturnBuffer();
    }

    private void Append(ReadOnlySpan<byte> pcm)
    {
        var needed = (long)_length + pcm.Length;
        if (needed > maxBytes)
        {
            _overflowed = true;
            ReturnBuffer();
            return;
        }

        if (_buffer is null || needed > _buffer.Length)
        {
            var grown = ArrayPool<byte>.Shared.Rent((int)Math.Min(maxBytes, Math.Max(needed, Math.Max(InitialBytes, (_buffer?.Length ?? 0) * 2L))));
            if (_buffer is { } old)
            {
                old.AsSpan(0, _length).CopyTo(grown);
                ArrayPool<byte>.Shared.Return(old);
            }

            _buffer = grown;
        }

        pcm.CopyTo(_buffer.AsSpan(_length));
        _length += pcm.Length;
    }

    private void ReturnBuffer()
    {
        if (_buffer is { } buffer)
        {
            _buffer = null;
            _length = 0;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
