using System.Buffers;
using ChatTts.Edge.Admission;
using ChatTts.Edge.Audio;
using ChatTts.Edge.Streaming;

namespace ChatTts.Edge.Synthesis;

/// <summary>
/// The output of one segment's <see cref="SynthesisRun"/>: its frames are held in pooled buffers until its turn comes
/// (<see cref="PlayAsync"/>), then replayed to the client in order and, from then on, passed straight through. The
/// <c>segment</c> event goes out right before its first frame. Only the first segment's queue notices reach the client.
/// Writes and the switch to playing are serialized by one lock, so no frame overtakes another.
/// </summary>
/// <param name="placed">Called when its run has a place in the queue (it hears its first queue notice).</param>
internal sealed class SegmentOutput(ISegmentedOutput client, SegmentStart segment, SegmentedSynthesis owner, TimeProvider time, Action placed) : ISynthesisOutput, IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Queue<HeldFrame> _held = new();
    private bool _playing;
    private bool _announced;
    private long _frames;

    public string RequestId => client.RequestId;

    /// <summary>Frames this segment's backend produced so far (held or sent): its run may start over elsewhere only while 0.</summary>
    public long FramesWritten => Volatile.Read(ref _frames);

    public long? FirstAudioTimestamp { get; private set; }

    public async ValueTask WriteFrameAsync(Memory<byte> wav, int samples, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            FirstAudioTimestamp ??= time.GetTimestamp();
            Interlocked.Increment(ref _frames);
            if (_playing)
            {
                await SendAsync(wav, samples, cancellationToken);
                return;
            }

            var copy = ArrayPool<byte>.Shared.Rent(wav.Length);
            wav.Span.CopyTo(copy);
            _held.Enqueue(new HeldFrame(copy, wav.Length, samples));
            owner.Buffered(wav.Length - WavHeader.Size);
        }
        finally
        {
            _gate.Release();
        }
    }

    public ValueTask QueuedAsync(QueueNotice notice, CancellationToken cancellationToken)
    {
        placed();
        return segment.Index == 0 ? client.QueuedAsync(notice, cancellationToken) : ValueTask.CompletedTask;
    }

    public ValueTask AdmittedAsync(CancellationToken cancellationToken) =>
        segment.Index == 0 ? client.AdmittedAsync(cancellationToken) : ValueTask.CompletedTask;

    /// <summary>Its turn: what it holds goes to the client, and what comes later goes straight through.</summary>
    public async Task PlayAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            while (_held.TryPeek(out var frame))
            {
                await SendAsync(frame.Buffer.AsMemory(0, frame.Length), frame.Samples, cancellationToken);
                _held.Dequeue();
                ArrayPool<byte>.Shared.Return(frame.Buffer);
                owner.Buffered(-(frame.Length - WavHeader.Size));
            }

            _playing = true;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Gives back the buffers of frames never sent (the stream ended first). Called once its run has ended.</summary>
    public void Dispose()
    {
        while (_held.TryDequeue(out var frame))
        {
            ArrayPool<byte>.Shared.Return(frame.Buffer);
            owner.Buffered(-(frame.Length - WavHeader.Size));
        }

        _gate.Dispose();
    }

    private async ValueTask SendAsync(Memory<byte> wav, int samples, CancellationToken cancellationToken)
    {
        if (!_announced)
        {
            _announced = true;
            await client.WriteSegmentAsync(segment, cancellationToken);
        }

        await client.WriteFrameAsync(wav, samples, cancellationToken);
    }

    private readonly record struct HeldFrame(byte[] Buffer, int Length, int Samples);
}
