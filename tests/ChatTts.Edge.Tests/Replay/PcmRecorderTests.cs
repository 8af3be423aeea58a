using System.Buffers;
using ChatTts.Edge.Admission;
using ChatTts.Edge.Audio;
using ChatTts.Edge.Replay;
using ChatTts.Edge.Streaming;
using ChatTts.Edge.Tests.Infrastructure;

namespace ChatTts.Edge.Tests.Replay;

public sealed class PcmRecorderTests
{
    [Fact]
    public async Task Recorded_IsEveryFramesPcmInOrder_AndEachFrameStillReachesTheOutputWhole()
    {
        var pcm = TestAudio.Pcm(200_001);
        var output = new CountingOutput();
        var recorder = new PcmRecorder(output, maxBytes: 1 << 20);
        using (var framer = new PcmFramer(960, recorder))
        {
            await framer.WriteAsync(new ReadOnlySequence<byte>(pcm), default);
            await framer.CompleteAsync(default);
        }

        Assert.Equal(pcm[..200_000], recorder.Recorded!.Value.ToArray());
        Assert.Equal(pcm[..200_000], output.Pcm.ToArray());
        recorder.Release();
    }

    [Fact]
    public async Task Recorded_PastTheLimit_IsNull_WhileTheOutputGetsEverything()
    {
        var pcm = TestAudio.Pcm(10_000);
        var output = new CountingOutput();
        var recorder = new PcmRecorder(output, maxBytes: 9_999);
        using (var framer = new PcmFramer(480, recorder))
        {
            await framer.WriteAsync(new ReadOnlySequence<byte>(pcm), default);
            await framer.CompleteAsync(default);
        }

        Assert.Null(recorder.Recorded);
        Assert.Equal(pcm, output.Pcm.ToArray());
    }

    private sealed class CountingOutput : ISegmentedOutput
    {
        public List<byte> Pcm { get; } = [];

        public string RequestId => "test";

        public long FramesWritten { get; private set; }

        public long? FirstAudioTimestamp => null;

        public long SamplesSent => Pcm.Count / PcmFormat.BytesPerSample;

        public ValueTask WriteSegmentAsync(SegmentStart segment, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask WriteFrameAsync(Memory<byte> wav, int samples, CancellationToken cancellationToken)
        {
            Pcm.AddRange(wav.Span.Slice(WavHeader.Size, samples * PcmFormat.BytesPerSample).ToArray());
            FramesWritten++;
            return ValueTask.CompletedTask;
        }

        public ValueTask QueuedAsync(QueueNotice notice, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask AdmittedAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}
