using System.Buffers.Binary;
using System.Text;
using ChatTts.Emulator.Dialects;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace ChatTts.Emulator.Faults;

/// <summary><see cref="EmulatorFaults.OversizeMessageBytes"/>: one message of the given size in the dialect's shape,
/// written a fixed-size piece at a time (the transport's back-pressure bounds what is buffered), so a message of
/// hundreds of megabytes costs the emulator a few kilobytes.</summary>
internal static class OversizeMessage
{
    private const int PieceBytes = 64 * 1024;

    // 48 KiB of a quiet 440 Hz tone, whose base64 is exactly 64 KiB: whole quads, so pieces concatenate into one
    // valid base64 string.
    private static readonly byte[] Base64Piece = Encoding.ASCII.GetBytes(Convert.ToBase64String(Tone(PieceBytes / 4 * 3)));

    // JSON-safe ASCII for the inside of an error message.
    private static readonly byte[] TextPiece = Encoding.ASCII.GetBytes(
        string.Concat(Enumerable.Repeat("The emulated server reports an oversize error message. ", PieceBytes / 55 + 1)))[..PieceBytes];

    public static Task WriteAsync(HttpContext context, Dialect dialect, long size, CancellationToken cancellationToken) =>
        dialect.StreamsEvents ? WriteEventAsync(context, size, cancellationToken) : WriteJsonAsync(context, dialect.LargeErrorEnvelope, size, cancellationToken);

    // data: <size rounded down to whole quads of base64>\n\n — one event, no line break inside its data.
    private static async Task WriteEventAsync(HttpContext context, long size, CancellationToken cancellationToken)
    {
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        var body = context.Response.Body;
        await body.WriteAsync("data: "u8.ToArray(), cancellationToken);
        await WriteRepeatedAsync(body, Base64Piece, size / 4 * 4, cancellationToken);
        await body.WriteAsync("\n\n"u8.ToArray(), cancellationToken);
    }

    private static async Task WriteJsonAsync(HttpContext context, JsonErrorEnvelope envelope, long size, CancellationToken cancellationToken)
    {
        var prefix = Encoding.UTF8.GetBytes(envelope.Prefix);
        var suffix = Encoding.UTF8.GetBytes(envelope.Suffix);
        var message = Math.Max(0, size - prefix.Length - suffix.Length);
        context.Response.StatusCode = envelope.StatusCode;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = prefix.Length + message + suffix.Length;
        var body = context.Response.Body;
        await body.WriteAsync(prefix, cancellationToken);
        await WriteRepeatedAsync(body, TextPiece, message, cancellationToken);
        await body.WriteAsync(suffix, cancellationToken);
    }

    private static async Task WriteRepeatedAsync(Stream body, byte[] piece, long length, CancellationToken cancellationToken)
    {
        for (var left = length; left > 0; left -= piece.Length)
        {
            await body.WriteAsync(piece.AsMemory(0, (int)Math.Min(left, piece.Length)), cancellationToken);
        }
    }

    private static byte[] Tone(int bytes)
    {
        var pcm = new byte[bytes];
        for (var i = 0; i < bytes / 2; i++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(pcm.AsSpan(i * 2), (short)(1000 * Math.Sin(2 * Math.PI * 440 * i / 24_000)));
        }

        return pcm;
    }
}
