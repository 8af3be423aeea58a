namespace ChatTts.Emulator;

/// <summary>One synthesis request as the emulator received it.</summary>
/// <param name="Dialect">The dialect of the instance that received it.</param>
/// <param name="Text">The text to speak (for <c>chattts-ui</c> trimmed, as that server does); empty when missing.</param>
/// <param name="Seed">The seed the request carried (<c>seed</c>, or <c>text_seed</c> for chattts-ui); null when absent or not a number.</param>
/// <param name="Voice">The voice the request carried (<c>voice</c>, or <c>spk</c> for forge); null when absent.</param>
/// <param name="Fields">Every field the request carried, as received: query, form or JSON body (a JSON string
/// without its quotes, other JSON values as raw JSON text). Where the body and the query both carry a name
/// (webui's <c>stream</c>), the body's value is kept.</param>
public sealed record SynthesisRecord(
    string Dialect,
    string Text,
    int? Seed,
    string? Voice,
    IReadOnlyDictionary<string, string> Fields)
{
    /// <summary>The request's <c>Content-Length</c> header; null when it had none (no body, or a chunked one).</summary>
    public long? ContentLength { get; init; }

    /// <summary>The request's W3C <c>traceparent</c> header (the trace it belongs to); null when it had none.</summary>
    public string? TraceParent { get; init; }

    /// <summary>The body came with <c>Transfer-Encoding: chunked</c> instead of a length.</summary>
    public bool ChunkedBody { get; init; }

    /// <summary>The request carried a body at all: a positive <c>Content-Length</c>, or a chunked one.</summary>
    public bool HasBody => ContentLength > 0 || ChunkedBody;
}
