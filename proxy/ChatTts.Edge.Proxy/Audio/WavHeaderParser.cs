using System.Buffers;
using System.Buffers.Binary;

namespace ChatTts.Edge.Audio;

/// <summary>What a WAV stream's header says: where the PCM starts and how long it is.</summary>
/// <param name="HeaderLength">Bytes before the first PCM byte.</param>
/// <param name="DataLength">PCM bytes announced by the data chunk, or null when the stream is open-ended
/// (ChatTTS servers that stream write 0 or 0xFFFFFFFF because the length is not known yet).</param>
internal readonly record struct WavStreamInfo(long HeaderLength, long? DataLength);

internal enum WavParseStatus { NeedMoreData, Done, Invalid }

/// <summary>
/// Parses the RIFF/WAVE header at the start of a backend response, tolerating streaming quirks:
/// size fields of 0 or 0xFFFFFFFF, extra chunks (LIST, fact) before "data", and a header that
/// arrives split across any number of reads (the caller re-offers the growing buffer).
/// </summary>
internal static class WavHeaderParser
{
    /// <summary>Headers larger than this are refused rather than buffered without bound.</summary>
    public const int MaxHeaderBytes = 64 * 1024;

    private const uint OpenEndedFrom = int.MaxValue;

    public static WavParseStatus TryParse(ReadOnlySequence<byte> buffer, out WavStreamInfo info, out string? error)
    {
        info = default;
        error = null;
        var reader = new SequenceReader<byte>(buffer);
        Span<byte> tag = stackalloc byte[4];

        if (!reader.TryCopyTo(tag) || buffer.Length < 12)
        {
            return NeedMore(buffer, out error);
        }

        if (!tag.SequenceEqual("RIFF"u8))
        {
            error = "the response is not a WAV stream (no RIFF header)";
            return WavParseStatus.Invalid;
        }

        reader.Advance(8);
        reader.TryCopyTo(tag);
        if (!tag.SequenceEqual("WAVE"u8))
        {
            error = "the response is a RIFF file but not WAVE audio";
            return WavParseStatus.Invalid;
        }

        reader.Advance(4);
        var sawFormat = false;
        while (true)
        {
            if (reader.Remaining < 8 || !reader.TryCopyTo(tag))
            {
                return NeedMore(buffer, out error);
            }

            reader.Advance(4);
            reader.TryReadLittleEndian(out int rawSize);
            var size = (uint)rawSize;

            if (tag.SequenceEqual("data"u8))
            {
                if (!sawFormat)
                {
                    error = "the WAV stream has no fmt chunk before its data";
                    return WavParseStatus.Invalid;
                }

                // Streaming servers write 0 or 0xFFFFFFFF; anything from 2 GiB up is a placeholder as well.
                long? dataLength = size is 0 or >= OpenEndedFrom ? null : size;
                info = new WavStreamInfo(reader.Consumed, dataLength);
                return WavParseStatus.Done;
            }

            var padded = (long)size + (size & 1);
            if (reader.Remaining < padded)
            {
                return NeedMore(buffer, out error);
            }

            if (tag.SequenceEqual("fmt "u8))
            {
                if (!TryCheckFormat(reader.UnreadSequence.Slice(0, size), out error))
                {
                    return WavParseStatus.Invalid;
                }

                sawFormat = true;
            }

            reader.Advance(padded);
        }
    }

    private static WavParseStatus NeedMore(ReadOnlySequence<byte> buffer, out string? error)
    {
        if (buffer.Length >= MaxHeaderBytes)
        {
            error = $"the WAV header is longer than {MaxHeaderBytes} bytes";
            return WavParseStatus.Invalid;
        }

        error = null;
        return WavParseStatus.NeedMoreData;
    }

    private static bool TryCheckFormat(ReadOnlySequence<byte> chunk, out string? error)
    {
        Span<byte> fmt = stackalloc byte[16];
        if (chunk.Length < fmt.Length)
        {
            error = "the WAV fmt chunk is too short";
            return false;
        }

        chunk.Slice(0, fmt.Length).CopyTo(fmt);
        var formatTag = BinaryPrimitives.ReadUInt16LittleEndian(fmt);
        var channels = BinaryPrimitives.ReadUInt16LittleEndian(fmt[2..]);
        var sampleRate = BinaryPrimitives.ReadInt32LittleEndian(fmt[4..]);
        var bits = BinaryPrimitives.ReadUInt16LittleEndian(fmt[14..]);

        // 0xFFFE is WAVE_FORMAT_EXTENSIBLE, which some encoders use for plain PCM too.
        if (formatTag is not (1 or 0xFFFE) || channels != PcmFormat.Channels
            || sampleRate != PcmFormat.SampleRate || bits != PcmFormat.BitsPerSample)
        {
            error = $"the backend sent {FormatName(formatTag)} audio at {sampleRate} Hz, {channels} channel(s), {bits} bits; "
                + "ChatTTS backends must send 16-bit PCM at 24000 Hz, mono";
            return false;
        }

        error = null;
        return true;
    }

    private static string FormatName(ushort formatTag) => formatTag switch
    {
        1 or 0xFFFE => "PCM",
        3 => "float",
        _ => $"format {formatTag}",
    };
}
