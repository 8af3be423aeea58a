using System.Buffers.Binary;

namespace ChatTts.Emulator.Wav;

/// <summary>The canonical 44-byte RIFF/WAVE header for <see cref="PcmFormat"/>, little endian.</summary>
internal static class WavHeader
{
    public const int Size = 44;

    /// <summary>The size chattts-openai writes when the length is not known yet.</summary>
    public const uint UnknownSize = 0xFFFF_FFFF;

    /// <summary>A header whose sizes match <paramref name="pcmBytes"/> of data.</summary>
    public static byte[] ForPcm(int pcmBytes) => Create(checked((uint)(Size - 8 + pcmBytes)), checked((uint)pcmBytes));

    /// <summary>A streaming header whose RIFF and data sizes both hold <paramref name="sizeMarker"/>.</summary>
    public static byte[] Streaming(uint sizeMarker) => Create(sizeMarker, sizeMarker);

    /// <summary>A header carrying these RIFF and data sizes, whatever follows it.</summary>
    public static byte[] Create(uint riffSize, uint dataSize)
    {
        var header = new byte[Size];
        var span = header.AsSpan();
        "RIFF"u8.CopyTo(span);
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], riffSize);
        "WAVE"u8.CopyTo(span[8..]);
        "fmt "u8.CopyTo(span[12..]);
        BinaryPrimitives.WriteUInt32LittleEndian(span[16..], 16);
        BinaryPrimitives.WriteUInt16LittleEndian(span[20..], 1);
        BinaryPrimitives.WriteUInt16LittleEndian(span[22..], PcmFormat.Channels);
        BinaryPrimitives.WriteUInt32LittleEndian(span[24..], PcmFormat.SampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(span[28..], PcmFormat.ByteRate);
        BinaryPrimitives.WriteUInt16LittleEndian(span[32..], PcmFormat.Channels * PcmFormat.BytesPerSample);
        BinaryPrimitives.WriteUInt16LittleEndian(span[34..], PcmFormat.BitsPerSample);
        "data"u8.CopyTo(span[36..]);
        BinaryPrimitives.WriteUInt32LittleEndian(span[40..], dataSize);
        return header;
    }
}
