using ChatTts.Edge.Audio;
using ChatTts.Edge.Tests.Infrastructure;

namespace ChatTts.Edge.Tests.Audio;

public sealed class WavHeaderTests
{
    [Fact]
    public void Write_200MsOfAudio_ProducesTheCanonicalHeaderBytes()
    {
        var header = new byte[WavHeader.Size];

        WavHeader.Write(header, 9600);

        byte[] expected =
        [
            0x52, 0x49, 0x46, 0x46, 0xA4, 0x25, 0x00, 0x00, 0x57, 0x41, 0x56, 0x45, // "RIFF", 36 + 9600, "WAVE"
            0x66, 0x6D, 0x74, 0x20, 0x10, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, // "fmt ", 16, PCM, mono
            0xC0, 0x5D, 0x00, 0x00, 0x80, 0xBB, 0x00, 0x00, 0x02, 0x00, 0x10, 0x00, // 24000 Hz, 48000 B/s, align 2, 16 bits
            0x64, 0x61, 0x74, 0x61, 0x80, 0x25, 0x00, 0x00,                         // "data", 9600
        ];
        Assert.Equal(expected, header);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(96_000)]
    public void Write_AnyLength_IsAStandaloneWavForThatPcm(int pcmBytes)
    {
        var wav = new byte[WavHeader.Size + pcmBytes];
        var pcm = TestAudio.Pcm(pcmBytes);
        pcm.CopyTo(wav, WavHeader.Size);

        WavHeader.Write(wav, pcmBytes);

        Assert.Equal(pcm, WavAssert.IsStandalone(wav));
    }

    [Fact]
    public void Write_BufferTooSmall_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => WavHeader.Write(new byte[43], 0));
    }
}
