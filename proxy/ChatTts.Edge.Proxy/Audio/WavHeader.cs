using System.Buffers.Binary;

namespace ChatTts.Edge.Audio;

/// <summary>Writes the canonical 44-byte RIFF/WAVE header for <see cref="PcmFormat"/> audio.</summary>
internal static class WavHeader
{
    public const int Size = 44;

    /// <summary>The RIFF and data size of a stream whose length is not known when its header goes out.</summary>
    public const uint UnknownSize = uint.MaxValue;

    /// <summary>Writes a header whose RIFF and data sizes describe exactly <paramref name="dataBytes"/> bytes of PCM.</summary>
    public static void Write(Span<byte> destination, int dataBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(dataBytes);
        Write(destination, (uint)(Size - 8 + dataBytes), (uint)dataBytes);
    }

    /// <summary>
    /// Writes the header of a WAV stream of unknown length: RIFF and data sizes <see cref="UnknownSize"/> (0xFFFFFFFF), as
    /// OpenAI's streamed <c>wav</c> and 2noise's <c>openai_api.py</c> send it, which players read as "until the end".
    /// </summary>
    public static void WriteStreaming(Span<byte> destination) => Write(destination, UnknownSize, UnknownSize);

    private static void Write(Span<byte> destination, uint riffBytes, uint dataBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, Size);

        "RIFF"u8.CopyTo(destination);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], riffBytes);
        "WAVEfmt "u8.CopyTo(destination[8..]);
        BinaryPrimitives.WriteInt32LittleEndian(destination[16..], 16);
        BinaryPrimitives.WriteInt16LittleEndian(destination[20..], 1); // PCM
        BinaryPrimitives.WriteInt16LittleEndian(destination[22..], PcmFormat.Channels);
        BinaryPrimitives.WriteInt32LittleEndian(destination[24..], PcmFormat.SampleRate);
        BinaryPrimitives.WriteInt32LittleEndian(destination[28..], PcmFormat.BytesPerSecond);
        BinaryPrimitives.WriteInt16LittleEndian(destination[32..], PcmFormat.BytesPerSample);
        BinaryPrimitives.WriteInt16LittleEndian(destination[34..], PcmFormat.BitsPerSample);
        "data"u8.CopyTo(destination[36..]);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[40..], dataBytes);
    }
}
