using System.Buffers.Binary;

namespace ChatTts.Emulator.Wav;

/// <summary>Reads 16-bit PCM WAV as espeak-ng writes it to stdout: the data size may be a
/// streaming placeholder, so the data runs to the end of what was read.</summary>
internal static class WavReader
{
    /// <summary>The mono samples and their rate, or null when this is not 16-bit PCM WAV.</summary>
    public static (short[] Samples, int SampleRate)? ReadMono16(ReadOnlySpan<byte> wav)
    {
        if (wav.Length < 12 || !wav[..4].SequenceEqual("RIFF"u8) || !wav[8..12].SequenceEqual("WAVE"u8))
        {
            return null;
        }

        int sampleRate = 0, channels = 0, bits = 0;
        var position = 12;
        while (position + 8 <= wav.Length)
        {
            var id = wav.Slice(position, 4);
            var size = BinaryPrimitives.ReadUInt32LittleEndian(wav[(position + 4)..]);
            var body = wav[(position + 8)..];
            if (id.SequenceEqual("fmt "u8) && body.Length >= 16)
            {
                var formatTag = BinaryPrimitives.ReadUInt16LittleEndian(body);
                channels = BinaryPrimitives.ReadUInt16LittleEndian(body[2..]);
                sampleRate = (int)BinaryPrimitives.ReadUInt32LittleEndian(body[4..]);
                bits = BinaryPrimitives.ReadUInt16LittleEndian(body[14..]);
                if (formatTag != 1)
                {
                    return null;
                }
            }
            else if (id.SequenceEqual("data"u8))
            {
                if (bits != 16 || channels < 1 || sampleRate <= 0)
                {
                    return null;
                }

                var data = size < (uint)body.Length ? body[..(int)size] : body;
                return (DownmixToMono(data, channels), sampleRate);
            }

            position = checked(position + 8 + (int)Math.Min(size + (size & 1), (uint)(wav.Length - position)));
        }

        return null;
    }

    private static short[] DownmixToMono(ReadOnlySpan<byte> data, int channels)
    {
        var frameBytes = 2 * channels;
        var samples = new short[data.Length / frameBytes];
        for (var i = 0; i < samples.Length; i++)
        {
            var sum = 0;
            for (var c = 0; c < channels; c++)
            {
                sum += BinaryPrimitives.ReadInt16LittleEndian(data[((i * frameBytes) + (2 * c))..]);
            }

            samples[i] = (short)(sum / channels);
        }

        return samples;
    }
}
