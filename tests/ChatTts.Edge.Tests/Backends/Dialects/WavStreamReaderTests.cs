using ChatTts.Edge.Backends;
using ChatTts.Edge.Backends.Dialects;
using ChatTts.Edge.Tests.Infrastructure;

namespace ChatTts.Edge.Tests.Backends.Dialects;

public sealed class WavStreamReaderTests
{
    [Theory]
    [InlineData(0xFFFFFFFFu)]
    [InlineData(0u)]
    public async Task ReadAsync_OneByteChunks_PassesEveryPcmByteThrough(uint streamingSize)
    {
        var pcm = TestAudio.Pcm(4801); // ends mid-sample on purpose
        var sink = new CollectingPcmSink();

        await WavStreamReader.ReadAsync(new ChunkedStream(TestAudio.Wav(pcm, streamingSize, streamingSize), 1), sink, TestAudio.Limits, CancellationToken.None);

        Assert.Equal(pcm, sink.Bytes);
    }

    [Fact]
    public async Task ReadAsync_HeaderSplitAcrossChunks_PassesPcmThrough()
    {
        var pcm = TestAudio.Pcm(10_000);
        var sink = new CollectingPcmSink();

        await WavStreamReader.ReadAsync(new ChunkedStream(TestAudio.Wav(pcm, 0, 0), 7, 30, 13, 999, 1), sink, TestAudio.Limits, CancellationToken.None);

        Assert.Equal(pcm, sink.Bytes);
    }

    [Fact]
    public async Task ReadAsync_DeclaredDataSize_StopsAtTheEndOfTheDataChunk()
    {
        var pcm = TestAudio.Pcm(3000);
        var wav = TestAudio.Wav(pcm).Concat(TestAudio.Chunk("LIST", new byte[20])).ToArray();
        var sink = new CollectingPcmSink();

        await WavStreamReader.ReadAsync(new ChunkedStream(wav, 512), sink, TestAudio.Limits, CancellationToken.None);

        Assert.Equal(pcm, sink.Bytes);
    }

    [Fact]
    public async Task ReadAsync_StreamShorterThanDeclared_ThrowsInterrupted()
    {
        var wav = TestAudio.Wav(TestAudio.Pcm(3000))[..1000];

        var failure = await Assert.ThrowsAsync<BackendException>(() =>
            WavStreamReader.ReadAsync(new ChunkedStream(wav, 100), new CollectingPcmSink(), TestAudio.Limits, CancellationToken.None));

        Assert.Equal(BackendFailureKind.Interrupted, failure.Kind);
        Assert.Contains("956 of 3000", failure.Message);
    }

    [Fact]
    public async Task ReadAsync_StreamEndsInsideTheHeader_ThrowsInterrupted()
    {
        var wav = TestAudio.Wav(TestAudio.Pcm(10), dataSize: 0)[..30];

        var failure = await Assert.ThrowsAsync<BackendException>(() =>
            WavStreamReader.ReadAsync(new ChunkedStream(wav, 1), new CollectingPcmSink(), TestAudio.Limits, CancellationToken.None));

        Assert.Equal(BackendFailureKind.Interrupted, failure.Kind);
    }
}
