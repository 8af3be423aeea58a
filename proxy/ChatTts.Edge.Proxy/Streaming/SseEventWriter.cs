using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.IO.Pipelines;
using System.Text.Json;
using ChatTts.Edge.Audio;

namespace ChatTts.Edge.Streaming;

/// <summary>
/// Writes the stream's Server-Sent Events straight into the response's <see cref="PipeWriter"/>.
/// <c>audio</c> events are the hot path: numbers are formatted and the WAV is base64-encoded directly into
/// the pipe's pooled memory, so an event costs no allocation. Not thread-safe; callers serialize writes.
/// </summary>
internal sealed class SseEventWriter(PipeWriter output) : IDisposable
{
    /// <summary>
    /// How much room base64 asks the pipe for at a time. Kestrel's chunked HTTP/1.1 writer adds its chunk framing
    /// (up to 12 bytes) to a hint, and its memory pool serves blocks of 4 KiB: a 4 KiB hint became a 4 KiB + 12 request
    /// that the pipe took from <c>ArrayPool.Shared</c> instead, which under load allocates a new array for a fair share
    /// of the events. 3 KiB stays inside one pooled block with either framing.
    /// </summary>
    private const int Base64BlockHint = 3 * 1024;

    private readonly Utf8JsonWriter _json = new(output, new JsonWriterOptions { SkipValidation = true });

    /// <summary>A comment line (<c>: text</c>), which clients ignore and intermediaries see as traffic.</summary>
    public void WriteComment(ReadOnlySpan<byte> text)
    {
        Write(": "u8);
        Write(text);
        Write("\n\n"u8);
    }

    /// <summary>An event whose data is one line of JSON written by <paramref name="writeBody"/>.</summary>
    public void WriteJsonEvent<TState>(ReadOnlySpan<byte> eventName, TState state, Action<Utf8JsonWriter, TState> writeBody)
    {
        Write("event: "u8);
        Write(eventName);
        Write("\n"u8);
        WriteJsonData(state, writeBody);
    }

    /// <summary>An unnamed event (a <c>message</c>, to a client) whose data is one line of JSON written by <paramref name="writeBody"/>.</summary>
    public void WriteJsonData<TState>(TState state, Action<Utf8JsonWriter, TState> writeBody)
    {
        Write("data: "u8);
        _json.Reset(output);
        _json.WriteStartObject();
        writeBody(_json, state);
        _json.WriteEndObject();
        _json.Flush();
        Write("\n\n"u8);
    }

    /// <summary>An event whose data is <paramref name="json"/>, one line of JSON written before (by <see cref="RenderJson"/>).</summary>
    public void WriteEvent(ReadOnlySpan<byte> eventName, ReadOnlySpan<byte> json)
    {
        Write("event: "u8);
        Write(eventName);
        Write("\ndata: "u8);
        Write(json);
        Write("\n\n"u8);
    }

    /// <summary>The JSON data <see cref="WriteJsonEvent"/> would write, into <paramref name="destination"/> instead.</summary>
    public void RenderJson<TState>(IBufferWriter<byte> destination, TState state, Action<Utf8JsonWriter, TState> writeBody)
    {
        _json.Reset(destination);
        _json.WriteStartObject();
        writeBody(_json, state);
        _json.WriteEndObject();
        _json.Flush();
    }

    /// <summary>The <c>retry:</c> field: how long a client waits before it reconnects after losing the stream.</summary>
    public void WriteRetry(int milliseconds)
    {
        Write("retry: "u8);
        WriteNumber(milliseconds);
        Write("\n\n"u8);
    }

    /// <summary>
    /// An <c>audio</c> event (SSE id <c>&lt;stream&gt;:&lt;seq&gt;</c>, <paramref name="idPrefix"/> being <c>&lt;stream&gt;:</c>)
    /// carrying <paramref name="wav"/>, a complete WAV file, as base64.
    /// </summary>
    public void WriteAudio(ReadOnlySpan<byte> idPrefix, long seq, long offsetSamples, int samples, ReadOnlySpan<byte> wav)
    {
        Write("event: audio\nid: "u8);
        Write(idPrefix);
        WriteNumber(seq);
        Write("\ndata: {\"seq\":"u8);
        WriteNumber(seq);
        Write(",\"offset_ms\":"u8);
        WriteNumber(PcmFormat.ToMilliseconds(offsetSamples));
        Write(",\"duration_ms\":"u8);
        WriteNumber(PcmFormat.ToMilliseconds(samples));
        Write(",\"samples\":"u8);
        WriteNumber(samples);
        Write(",\"audio\":\""u8);
        WriteBase64(wav);
        Write("\"}\n\n"u8);
    }

    /// <summary>
    /// An unnamed event whose data is <paramref name="before"/>, <paramref name="bytes"/> as base64 and <paramref name="after"/>:
    /// a JSON object with one base64 string, encoded straight into the pipe as <see cref="WriteAudio"/> does.
    /// </summary>
    public void WriteBase64Data(ReadOnlySpan<byte> before, ReadOnlySpan<byte> bytes, ReadOnlySpan<byte> after)
    {
        Write("data: "u8);
        Write(before);
        WriteBase64(bytes);
        Write(after);
        Write("\n\n"u8);
    }

    public ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken) => output.FlushAsync(cancellationToken);

    public void Dispose() => _json.Dispose();

    private void Write(ReadOnlySpan<byte> bytes) => output.Write(bytes);

    private void WriteNumber<T>(T value)
        where T : IUtf8SpanFormattable
    {
        var span = output.GetSpan(32);
        if (!value.TryFormat(span, out var written, default, CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException("A number did not fit in 32 bytes.");
        }

        output.Advance(written);
    }

    private void WriteBase64(ReadOnlySpan<byte> source)
    {
        while (!source.IsEmpty)
        {
            var destination = output.GetSpan(Base64BlockHint);
            var take = Math.Min(source.Length, destination.Length / 4 * 3);
            var status = Base64.EncodeToUtf8(source[..take], destination, out var consumed, out var written, isFinalBlock: take == source.Length);
            if (status != OperationStatus.Done)
            {
                throw new InvalidOperationException($"Base64 encoding stopped with {status}.");
            }

            output.Advance(written);
            source = source[consumed..];
        }
    }
}
