using ChatTts.Edge.Replay;
using ChatTts.Edge.Tests.Infrastructure;

namespace ChatTts.Edge.Tests.Replay;

public sealed class ReplayEntryFormatTests
{
    [Fact]
    public void Decode_OfEncode_IsTheSameBackendAndPcm()
    {
        var pcm = TestAudio.Pcm(4801);

        var entry = RedisReplayStore.Decode(RedisReplayStore.Encode(new ReplayEntry("gpu-東京", pcm)));

        Assert.Equal("gpu-東京", entry!.Backend);
        Assert.Equal(pcm, entry.Pcm.ToArray());
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 2, 0, 0 })]      // a format this edge does not know
    [InlineData(new byte[] { 1, 9, 0, 65 })]  // a backend id longer than the value
    public void Decode_AValueThatIsNoEntryOfThisFormat_IsNull(byte[] value) =>
        Assert.Null(RedisReplayStore.Decode(value));
}
