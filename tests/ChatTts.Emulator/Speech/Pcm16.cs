using System.Buffers.Binary;

namespace ChatTts.Emulator.Speech;

/// <summary>Conversions between samples and s16le bytes, endian-independent.</summary>
internal static class Pcm16
{
    public static byte[] ToBytes(ReadOnlySpan<short> samples)
    {
        var bytes = new byte[samples.Length * 2];
        for (var i = 0; i < samples.Length; i++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(i * 2), samples[i]);
        }

        return bytes;
    }

    public static short Clip(double value) =>
        (short)Math.Clamp(Math.Round(value, MidpointRounding.AwayFromZero), short.MinValue, short.MaxValue);
}
