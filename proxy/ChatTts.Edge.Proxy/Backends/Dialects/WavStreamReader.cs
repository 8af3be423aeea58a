using System.IO.Pipelines;
using ChatTts.Edge.Audio;

namespace ChatTts.Edge.Backends.Dialects;

/// <summary>
/// Reads a WAV response (streamed with unknown sizes, or whole) and passes its PCM on as it arrives.
/// HTTP chunk boundaries carry no meaning: the header may be split across reads and a read may end mid-sample.
/// </summary>
internal static class WavStreamReader
{
    /// <summary>
    /// Zero-byte reads: a stream waits for the backend's next step without holding a buffer (ten thousand streams
    /// between steps hold none), then reads what has arrived, a whole 0.5 s step (24,000 bytes) and its chunk framing
    /// in one read, into a buffer rented for that read.
    /// </summary>
    private static readonly StreamPipeReaderOptions ReaderOptions = new(bufferSize: 32 * 1024, minimumReadSize: 4 * 1024, leaveOpen: true, useZeroByteReads: true);

    public static async Task ReadAsync(Stream body, IPcmSink sink, BackendLimits limits, CancellationToken cancellationToken)
    {
        var reader = PipeReader.Create(body, ReaderOptions);
        try
        {
            WavStreamInfo? header = null;
            var remaining = long.MaxValue;
            while (remaining > 0)
            {
                var result = await reader.ReadAsync(cancellationToken);
                var buffer = result.Buffer;

                if (header is null)
                {
                    switch (WavHeaderParser.TryParse(buffer, out var parsed, out var error))
                    {
                        case WavParseStatus.Invalid:
                            throw new BackendException(BackendFailureKind.Protocol, error!);
                        case WavParseStatus.NeedMoreData when result.IsCompleted:
                            throw new BackendException(BackendFailureKind.Interrupted, "the audio stream ended inside its WAV header");
                        case WavParseStatus.NeedMoreData:
                            reader.AdvanceTo(buffer.Start, buffer.End);
                            continue;
                    }

                    if (parsed.DataLength > limits.MaxPcmBytes)
                    {
                        throw new BackendException(BackendFailureKind.Protocol, $"the backend announced {parsed.DataLength} bytes of audio; at most {limits.MaxPcmBytes} are accepted");
                    }

                    header = parsed;
                    remaining = parsed.DataLength ?? long.MaxValue;
                    buffer = buffer.Slice(parsed.HeaderLength);
                }

                if (buffer.Length > remaining)
                {
                    buffer = buffer.Slice(0, remaining);
                }

                if (!buffer.IsEmpty)
                {
                    await sink.WriteAsync(buffer, cancellationToken);
                    remaining -= buffer.Length;
                }

                reader.AdvanceTo(buffer.End);

                if (result.IsCompleted)
                {
                    if (header.Value.DataLength is { } expected && remaining > 0)
                    {
                        throw new BackendException(BackendFailureKind.Interrupted,
                            $"the audio stream ended after {expected - remaining} of {expected} announced bytes");
                    }

                    break;
                }
            }
        }
        finally
        {
            await reader.CompleteAsync();
        }
    }
}
