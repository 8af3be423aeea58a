using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;
using System.Text.Json;

namespace ChatTts.Edge.LoadTests.Load;

/// <summary>
/// One <c>audio</c> event, checked as a browser would play it: its JSON has <c>seq</c>, <c>samples</c> and
/// <c>audio</c>, and <c>audio</c> is base64 of a complete WAV file with a correct 44-byte header (PCM, 24 kHz, mono,
/// 16-bit, RIFF and data sizes equal to its length) holding exactly <c>samples</c> samples.
/// </summary>
/// <param name="Seq">The event's <c>seq</c>, or -1 when it has none.</param>
/// <param name="Samples">The samples in its WAV.</param>
/// <param name="Problem">What is wrong with it, or null when it is a valid chunk.</param>
internal readonly record struct AudioEventCheck(long Seq, long Samples, string? Problem)
{
    private const int HeaderBytes = 44;
    private const int SampleRate = 24_000;

    public static AudioEventCheck Check(ReadOnlySpan<byte> json)
    {
        long seq = -1, samples = -1;
        byte[]? wav = null;
        var wavLength = 0;
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return new(seq, 0, "data is not a JSON object");
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("seq"u8))
                {
                    reader.Read();
                    seq = reader.GetInt64();
                }
                else if (reader.ValueTextEquals("samples"u8))
                {
                    reader.Read();
                    samples = reader.GetInt64();
                }
                else if (reader.ValueTextEquals("audio"u8))
                {
                    reader.Read();
                    (wav, wavLength) = Decode(reader);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            return wav is null ? new(seq, 0, "no audio")
                : seq < 0 ? new(seq, 0, "no seq")
                : new(seq, Math.Max(samples, 0), WavProblem(wav.AsSpan(0, wavLength), samples));
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            return new(seq, 0, "malformed audio event: " + e.GetType().Name);
        }
        finally
        {
            if (wav is not null)
            {
                ArrayPool<byte>.Shared.Return(wav);
            }
        }
    }

    private static (byte[] Buffer, int Length) Decode(Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped || reader.HasValueSequence)
        {
            throw new FormatException("audio is not a plain base64 string");
        }

        var base64 = reader.ValueSpan;
        var buffer = ArrayPool<byte>.Shared.Rent(Base64.GetMaxDecodedFromUtf8Length(base64.Length));
        if (Base64.DecodeFromUtf8(base64, buffer, out _, out var written) != OperationStatus.Done)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw new FormatException("audio is not valid base64");
        }

        return (buffer, written);
    }

    private static string? WavProblem(ReadOnlySpan<byte> wav, long samples)
    {
        if (wav.Length < HeaderBytes)
        {
            return $"WAV of {wav.Length} bytes is shorter than its header";
        }

        var dataBytes = wav.Length - HeaderBytes;
        return !wav[..4].SequenceEqual("RIFF"u8) || !wav[8..16].SequenceEqual("WAVEfmt "u8) || !wav[36..40].SequenceEqual("data"u8)
                ? "WAV header lacks RIFF/WAVE/fmt/data"
            : UInt32(wav, 4) != wav.Length - 8 ? "RIFF size does not match the chunk"
            : UInt32(wav, 16) != 16 || UInt16(wav, 20) != 1 ? "not a PCM fmt chunk"
            : UInt16(wav, 22) != 1 || UInt32(wav, 24) != SampleRate || UInt16(wav, 34) != 16 ? "not 24 kHz mono 16-bit"
            : UInt32(wav, 28) != SampleRate * 2 || UInt16(wav, 32) != 2 ? "byte rate or block align wrong"
            : UInt32(wav, 40) != dataBytes ? "data size does not match the chunk"
            : dataBytes == 0 || dataBytes % 2 != 0 ? "no whole samples"
            : samples != dataBytes / 2 ? $"samples says {samples}, the WAV holds {dataBytes / 2}"
            : null;
    }

    private static uint UInt32(ReadOnlySpan<byte> wav, int offset) => BinaryPrimitives.ReadUInt32LittleEndian(wav[offset..]);

    private static ushort UInt16(ReadOnlySpan<byte> wav, int offset) => BinaryPrimitives.ReadUInt16LittleEndian(wav[offset..]);
}
