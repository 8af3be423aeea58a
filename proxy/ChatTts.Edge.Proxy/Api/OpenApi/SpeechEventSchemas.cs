using ChatTts.Edge.Audio;
using Microsoft.OpenApi;

namespace ChatTts.Edge.Api.OpenApi;

/// <summary>
/// The Server-Sent Events of <c>/v1/tts/stream</c> as schema components, as <c>SseSession</c> and <c>SseEventWriter</c> write
/// them: each event (<c>event:</c> name, the <c>id:</c> of <c>audio</c>, one line of JSON <c>data:</c>) and its data.
/// </summary>
internal static class SpeechEventSchemas
{
    public const string StreamSchemaId = "SpeechEvent";

    /// <summary>The event names, in the order a stream sends them.</summary>
    public static readonly IReadOnlyList<string> EventNames = ["queued", "meta", "segment", "audio", "done", "error"];

    /// <summary>Every <c>code</c> an <c>error</c> event (and <c>StreamFailures</c>) can carry.</summary>
    public static readonly IReadOnlyList<string> ErrorCodes =
    [
        "backend_interrupted", "backend_timeout", "backend_unreachable", "backend_busy", "backend_error", "backend_protocol",
        "invalid_request", "queue_full", "queue_timeout", "no_backend", "shutting_down", "slots_unavailable", "internal_error",
        "resume_lost",
    ];

    /// <summary>The comment line that keeps a quiet stream alive (clients ignore comments).</summary>
    public const string KeepAliveComment = ": keepalive";

    /// <summary>Registers the event components (once) and returns a reference to their union.</summary>
    public static OpenApiSchemaReference Register(OpenApiDocument document)
    {
        var events = new[]
        {
            Event(document, "queued", "While the request waits for a free GPU, before `meta`: when the wait starts and each time its place changes.", QueuedData),
            Event(document, "meta", "Once, before the first audio.", MetaData),
            Event(document, "segment", "Before the first `audio` of each segment of a long text split by sentence (see `split`).", SegmentData),
            Event(document, "audio", "One per chunk of `chunk_ms` audio; the SSE `id` names the stream and ends with its `seq` (`<stream>:<seq>`), for `Last-Event-ID`.", AudioData, id: true),
            Event(document, "done", "Once, last, when the stream completed.", DoneData),
            Event(document, "error", "Instead of `done`, when the stream fails after it opened; close the `EventSource`, or it reconnects by itself.", ErrorData),
        };
        return Schemas.Component(document, StreamSchemaId, () => new OpenApiSchema
        {
            Description = "One Server-Sent Event of a speech stream. A `retry:` field first (`Edge:Resume:RetryMilliseconds`: how soon a browser reconnects). In order: `queued` (optional, repeated), `meta`, `audio` × N (each segment of a split text " +
                "led by its `segment` event), then " +
                $"`done` or `error`; `{KeepAliveComment}` comment lines fill any silence longer than `Edge:Streaming:KeepAliveInterval`.",
            OneOf = [.. events.Select(e => e.Reference)],
            Discriminator = new OpenApiDiscriminator
            {
                PropertyName = "event",
                Mapping = events.ToDictionary(e => e.Name, e => e.Reference, StringComparer.Ordinal),
            },
        });
    }

    private static (string Name, OpenApiSchemaReference Reference) Event(OpenApiDocument document, string name, string when, Func<OpenApiSchema> data, bool id = false)
    {
        var title = char.ToUpperInvariant(name[0]) + name[1..];
        Schemas.Component(document, title + "EventData", data);
        var reference = Schemas.Component(document, title + "Event", () =>
        {
            var properties = new List<(string, IOpenApiSchema, bool)>
            {
                ("event", Schemas.Const(name, "The SSE `event:` field."), true),
                ("data", new OpenApiSchemaReference(title + "EventData", document) { Description = "The SSE `data:` field: one line of JSON." }, true),
            };
            if (id)
            {
                properties.Insert(1, ("id", Schemas.String("The SSE `id:` field: `<stream>:<seq>`, an opaque token of the stream (32 hex digits), a colon and the event's `seq` " +
                    "in decimal. Sent back as `Last-Event-ID` (as `EventSource` does when it reconnects), it resumes the stream after this event."), true));
            }

            return Schemas.Object($"The `{name}` event. {when}", [.. properties]);
        });
        return (name, reference);
    }

    private static OpenApiSchema QueuedData() => Schemas.Object(
        "Where the request stands in the admission queue.",
        ("position", Schemas.Integer("Place in the queue: 1 = next. Only ever decreases.", minimum: 1), true),
        ("estimated_wait_ms", Schemas.Integer("The wait the queue's current drain rate predicts, in whole milliseconds.", minimum: 0), true));

    private static OpenApiSchema MetaData() => Schemas.Object(
        "The stream's format: every `audio` event is a WAV file of s16le PCM, 24 kHz, mono.",
        ("request_id", Schemas.String("The request's id, as in the `X-Request-Id` header and the edge's logs."), true),
        ("sample_rate", Schemas.Const(PcmFormat.SampleRate, "Samples per second."), true),
        ("channels", Schemas.Const(PcmFormat.Channels, "Channels (mono)."), true),
        ("bits_per_sample", Schemas.Const(PcmFormat.BitsPerSample, "Bits per sample (signed, little-endian)."), true),
        ("format", Schemas.Const("wav", "The container of each `audio` event's audio."), true),
        ("resumed_from", Schemas.String("The `Last-Event-ID` this stream continues after (the stream's events after that one follow, then " +
            "its live ones); null for a new stream. A resumed stream's `request_id` is the original request's.", nullable: true), true));

    private static OpenApiSchema AudioData()
    {
        var audio = Schemas.String("A complete WAV file, base64-encoded: a 44-byte header whose sizes equal its payload, then the chunk's PCM. " +
            "`AudioContext.decodeAudioData` accepts it alone; the PCM of all `audio` events, concatenated, is exactly what the backend produced.");
        audio.ContentEncoding = "base64";
        audio.ContentMediaType = "audio/wav";
        return Schemas.Object(
            "One chunk of audio: every chunk but the last lasts exactly `chunk_ms`.",
            ("seq", Schemas.Integer("The chunk's number: 0, 1, 2… without gaps.", minimum: 0, int64: true), true),
            ("offset_ms", Schemas.Number("Where the chunk starts in the stream's audio, in milliseconds.", minimum: 0), true),
            ("duration_ms", Schemas.Number("The chunk's duration in milliseconds.", minimum: 0), true),
            ("samples", Schemas.Integer("The chunk's samples.", minimum: 1), true),
            ("audio", audio, true));
    }

    private static OpenApiSchema DoneData() => Schemas.Object(
        "The stream's totals.",
        ("chunks", Schemas.Integer("`audio` events sent.", minimum: 0, int64: true), true),
        ("samples", Schemas.Integer("Samples sent, in all.", minimum: 0, int64: true), true),
        ("duration_ms", Schemas.Number("Audio sent, in milliseconds.", minimum: 0), true),
        ("characters", Schemas.Integer("Unicode characters of the request's text (what the plan is charged).", minimum: 1), true),
        ("ttfa_ms", Schemas.Number("Time to first audio: from the request to the first `audio` event, in milliseconds (one decimal).", minimum: 0), true),
        ("backend", Schemas.String("The id of the backend (YARP destination) that synthesized the stream (its first segment, for a split text)."), true),
        ("segments", Schemas.Integer("How many segments a split long text was spoken in; absent when it was not split.", minimum: 2), false),
        ("cached", Schemas.Boolean("`true` when the audio was replayed from the edge's cache of seeded requests (`Edge:Cache`) instead of synthesized; absent when a GPU synthesized it. `backend` then names the destination that synthesized the cached audio."), false));

    private static OpenApiSchema SegmentData() => Schemas.Object(
        "Where a segment of a split long text starts: the `audio` events up to the next `segment` event (or `done`) are its audio.",
        ("index", Schemas.Integer("The segment's place among the text's segments: 0, 1, 2… in text order.", minimum: 0), true),
        ("text", Schemas.String("Exactly what its backend was asked to speak: the request's text from `start`, without the whitespace around it."), true),
        ("start", Schemas.Integer("Where `text` starts in the request's text, in Unicode characters (code points).", minimum: 0), true),
        ("offset_ms", Schemas.Number("Where its audio starts in the stream's audio, in milliseconds (the next `audio` event's `offset_ms`).", minimum: 0), true));

    private static OpenApiSchema ErrorData() => Schemas.Object(
            "Why the stream ended without `done`.",
            ("code", Schemas.Enum("What went wrong (see the API reference for each code).", ErrorCodes), true),
            ("message", Schemas.String("What went wrong, for people."), true),
            ("retryable", Schemas.Boolean("Whether the same request may succeed if sent again."), true),
            ("last_seq", Schemas.Integer("The `seq` of the last `audio` event sent; absent when none was.", minimum: 0, int64: true), false));
}
