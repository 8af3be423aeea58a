using System.Buffers;
using ChatTts.Edge.Audio;
using ChatTts.Edge.Streaming;
using ChatTts.Edge.Tests.Infrastructure;

namespace ChatTts.Edge.Tests.Streaming;

public sealed class PcmFramerTests
{
    [Fact]
    public async Task WriteAsync_PiecesOfOddByteCounts_FramesHoldWholeSamplesInOrder()
    {
        var pcm = TestAudio.Pcm(2 * 4800 * 3 + 2 * 100); // three 200 ms frames and 100 samples
        var frames = new FrameRecorder();
        using var framer = new PcmFramer(4800, frames);

        var offset = 0;
        for (var size = 1; offset < pcm.Length; size += 2) // 1, 3, 5, 7 ... bytes
        {
            var take = Math.Min(size, pcm.Length - offset);
            await framer.WriteAsync(new ReadOnlySequence<byte>(pcm, offset, take), CancellationToken.None);
            offset += take;
        }

        await framer.CompleteAsync(CancellationToken.None);

        Assert.Equal([4800, 4800, 4800, 100], frames.Samples);
        Assert.Equal(pcm, frames.Pcm);
        Assert.Equal(0, framer.DroppedBytes);
    }

    [Fact]
    public async Task CompleteAsync_OddTotal_DropsOnlyTheTrailingHalfSample()
    {
        var pcm = TestAudio.Pcm(2 * 10 + 1);
        var frames = new FrameRecorder();
        using var framer = new PcmFramer(4, frames);

        await framer.WriteAsync(new ReadOnlySequence<byte>(pcm), CancellationToken.None);
        await framer.CompleteAsync(CancellationToken.None);

        Assert.Equal([4, 4, 2], frames.Samples);
        Assert.Equal(pcm[..^1], frames.Pcm);
        Assert.Equal(1, framer.DroppedBytes);
        Assert.Equal(pcm.Length, framer.ReceivedBytes);
    }

    [Fact]
    public async Task WriteAsync_MultiSegmentSequence_IsFramedLikeOneBuffer()
    {
        var pcm = TestAudio.Pcm(1000);
        var frames = new FrameRecorder();
        using var framer = new PcmFramer(64, frames);

        await framer.WriteAsync(Segments(pcm, 3, 333, 1, 663), CancellationToken.None);
        await framer.CompleteAsync(CancellationToken.None);

        Assert.Equal(pcm, frames.Pcm);
        Assert.All(frames.Samples[..^1], s => Assert.Equal(64, s));
    }

    [Fact]
    public async Task CompleteAsync_NothingReceived_EmitsNoFrame()
    {
        var frames = new FrameRecorder();
        using var framer = new PcmFramer(4800, frames);

        await framer.CompleteAsync(CancellationToken.None);

        Assert.Empty(frames.Samples);
    }

    private static ReadOnlySequence<byte> Segments(byte[] data, params int[] sizes)
    {
        Segment? first = null, last = null;
        var offset = 0;
        foreach (var size in sizes)
        {
            var segment = new Segment(data.AsMemory(offset, size), offset);
            first ??= segment;
            last?.Link(segment);
            last = segment;
            offset += size;
        }

        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public void Link(Segment next) => Next = next;
    }

    private sealed class FrameRecorder : IAudioFrameSink
    {
        private readonly ArrayBufferWriter<byte> _pcm = new();

        public List<int> Samples { get; } = [];

        public byte[] Pcm => _pcm.WrittenSpan.ToArray();

        public ValueTask WriteFrameAsync(Memory<byte> wav, int samples, CancellationToken cancellationToken)
        {
            Assert.Equal(WavHeader.Size + (samples * 2), wav.Length);
            Samples.Add(samples);
            _pcm.Write(wav.Span[WavHeader.Size..]);
            return ValueTask.CompletedTask;
        }
    }
}
