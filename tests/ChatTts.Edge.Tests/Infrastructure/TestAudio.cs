using System.Buffers.Binary;
using System.Text;

namespace ChatTts.Edge.Tests.Infrastructure;

/// <summary>Builds PCM and WAV byte streams the way the different ChatTTS servers write them.</summary>
internal static class TestAudio
{
    /// <summary>Limits no test audio reaches.</summary>
    public static readonly ChatTts.Edge.Backends.BackendLimits Limits = new(MaxEventBytes: 64 * 1024 * 1024, MaxPcmBytes: long.MaxValue);

    /// <summary>Deterministic, non-repeating PCM bytes (an odd count is allowed on purpose).</summary>
    public static byte[] Pcm(int bytes, int seed = 1)
    {
        var data = new byte[bytes];
        new Random(seed).NextBytes(data);
        return data;
    }

    /// <summary>A WAV stream: header with the given size fields, optional extra chunks before "data", then the PCM.</summary>
    public static byte[] Wav(byte[] pcm, uint? riffSize = null, uint? dataSize = null, int sampleRate = 24_000, short channels = 1, short bits = 16, byte[]? extraChunk = null)
    {
        using var stream = new MemoryStream();
        stream.Write("RIFF"u8);
        WriteUInt32(stream, riffSize ?? (uint)(36 + pcm.Length + (extraChunk?.Length ?? 0)));
        stream.Write("WAVEfmt "u8);
        WriteUInt32(stream, 16);
        WriteUInt16(stream, 1);
        WriteUInt16(stream, (ushort)channels);
        WriteUInt32(stream, (uint)sampleRate);
        WriteUInt32(stream, (uint)(sampleRate * channels * bits / 8));
        WriteUInt16(stream, (ushort)(channels * bits / 8));
        WriteUInt16(stream, (ushort)bits);
        if (extraChunk is not null)
        {
            stream.Write(extraChunk);
        }

        stream.Write("data"u8);
        WriteUInt32(stream, dataSize ?? (uint)pcm.Length);
        stream.Write(pcm);
        return stream.ToArray();
    }

    /// <summary>A RIFF chunk (id, size, body, pad byte when odd).</summary>
    public static byte[] Chunk(string id, byte[] body)
    {
        using var stream = new MemoryStream();
        stream.Write(Encoding.ASCII.GetBytes(id));
        WriteUInt32(stream, (uint)body.Length);
        stream.Write(body);
        if (body.Length % 2 == 1)
        {
            stream.WriteByte(0);
        }

        return stream.ToArray();
    }

    private static void WriteUInt32(Stream stream, uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        stream.Write(bytes);
    }

    private static void WriteUInt16(Stream stream, ushort value)
    {
        Span<byte> bytes = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, value);
        stream.Write(bytes);
    }
}
