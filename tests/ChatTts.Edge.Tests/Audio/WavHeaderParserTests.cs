using System.Buffers;
using ChatTts.Edge.Audio;
using ChatTts.Edge.Tests.Infrastructure;

namespace ChatTts.Edge.Tests.Audio;

public sealed class WavHeaderParserTests
{
    [Theory]
    [InlineData(0xFFFFFFFFu)] // chattts-openai
    [InlineData(0u)]          // forge
    public void TryParse_StreamingSizeFields_ReportOpenEndedData(uint size)
    {
        var wav = TestAudio.Wav(TestAudio.Pcm(10), riffSize: size, dataSize: size);

        var status = WavHeaderParser.TryParse(new ReadOnlySequence<byte>(wav), out var info, out _);

        Assert.Equal(WavParseStatus.Done, status);
        Assert.Equal(new WavStreamInfo(44, null), info);
    }

    [Fact]
    public void TryParse_ListChunkBeforeData_IsSkipped()
    {
        var list = TestAudio.Chunk("LIST", "INFOISFT\u0005\0\0\0Lavf\0"u8.ToArray());
        var wav = TestAudio.Wav(TestAudio.Pcm(100), extraChunk: list);

        var status = WavHeaderParser.TryParse(new ReadOnlySequence<byte>(wav), out var info, out _);

        Assert.Equal(WavParseStatus.Done, status);
        Assert.Equal(new WavStreamInfo(44 + list.Length, 100), info);
    }

    [Fact]
    public void TryParse_EveryIncompletePrefix_NeedsMoreData()
    {
        var wav = TestAudio.Wav(TestAudio.Pcm(8), dataSize: 0xFFFFFFFF);

        for (var length = 0; length < 44; length++)
        {
            Assert.Equal(WavParseStatus.NeedMoreData, WavHeaderParser.TryParse(new ReadOnlySequence<byte>(wav, 0, length), out _, out _));
        }
    }

    [Theory]
    [InlineData(22_050, 1, 16, "22050 Hz")]
    [InlineData(24_000, 2, 16, "2 channel(s)")]
    [InlineData(24_000, 1, 8, "8 bits")]
    public void TryParse_AudioOtherThan24kMono16Bit_IsInvalidAndSaysWhy(int rate, short channels, short bits, string mentioned)
    {
        var wav = TestAudio.Wav(TestAudio.Pcm(8), sampleRate: rate, channels: channels, bits: bits);

        var status = WavHeaderParser.TryParse(new ReadOnlySequence<byte>(wav), out _, out var error);

        Assert.Equal(WavParseStatus.Invalid, status);
        Assert.Contains(mentioned, error);
    }

    [Fact]
    public void TryParse_JsonInsteadOfWav_IsInvalid()
    {
        var status = WavHeaderParser.TryParse(new ReadOnlySequence<byte>("{\"code\":1,\"msg\":\"text params lost\"}"u8.ToArray()), out _, out var error);

        Assert.Equal(WavParseStatus.Invalid, status);
        Assert.Contains("not a WAV", error);
    }
}
