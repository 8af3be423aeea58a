using System.Buffers.Binary;

namespace ChatTts.Edge.Tests.Infrastructure;

/// <summary>Checks a WAV file independently of the proxy's own header code, as a browser decoder would.</summary>
internal static class WavAssert
{
    /// <summary>Asserts <paramref name="wav"/> is a complete, standalone 24 kHz mono s16le WAV and returns its PCM.</summary>
    public static byte[] IsStandalone(byte[] wav)
    {
        Assert.True(wav.Length >= 44, $"a WAV needs 44 header bytes, got {wav.Length}");
        var pcmLength = wav.Length - 44;
        Assert.Equal("RIFF", Ascii(wav, 0));
        Assert.Equal(36 + pcmLength, BinaryPrimitives.ReadInt32LittleEndian(wav.AsSpan(4)));
        Assert.Equal("WAVE", Ascii(wav, 8));
        Assert.Equal("fmt ", Ascii(wav, 12));
        Assert.Equal(16, BinaryPrimitives.ReadInt32LittleEndian(wav.AsSpan(16)));
        Assert.Equal(1, BinaryPrimitives.ReadInt16LittleEndian(wav.AsSpan(20)));
        Assert.Equal(1, BinaryPrimitives.ReadInt16LittleEndian(wav.AsSpan(22)));
        Assert.Equal(24_000, BinaryPrimitives.ReadInt32LittleEndian(wav.AsSpan(24)));
        Assert.Equal(48_000, BinaryPrimitives.ReadInt32LittleEndian(wav.AsSpan(28)));
        Assert.Equal(2, BinaryPrimitives.ReadInt16LittleEndian(wav.AsSpan(32)));
        Assert.Equal(16, BinaryPrimitives.ReadInt16LittleEndian(wav.AsSpan(34)));
        Assert.Equal("data", Ascii(wav, 36));
        Assert.Equal(pcmLength, BinaryPrimitives.ReadInt32LittleEndian(wav.AsSpan(40)));
        Assert.True(pcmLength % 2 == 0, "the PCM must be whole 16-bit samples");
        return wav[44..];
    }

    /// <summary>
    /// Asserts <paramref name="wav"/> is a WAV stream of unknown length (RIFF and data sizes 0xFFFFFFFF, as OpenAI streams
    /// <c>wav</c>) of 24 kHz mono s16le, and returns its PCM.
    /// </summary>
    public static byte[] IsStream(byte[] wav)
    {
        Assert.True(wav.Length >= 44, $"a WAV needs 44 header bytes, got {wav.Length}");
        var header = wav[..44];
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(4), 36);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(40), 0);
        IsStandalone(header); // every field but the sizes, as a standalone WAV has them
        Assert.Equal(uint.MaxValue, BinaryPrimitives.ReadUInt32LittleEndian(wav.AsSpan(4)));
        Assert.Equal(uint.MaxValue, BinaryPrimitives.ReadUInt32LittleEndian(wav.AsSpan(40)));
        return wav[44..];
    }

    private static string Ascii(byte[] bytes, int offset) => System.Text.Encoding.ASCII.GetString(bytes, offset, 4);
}
