using System.Collections.Frozen;
using System.Text.Json.Nodes;
using ChatTts.Edge.Streaming;
using Microsoft.OpenApi;
using Fields = ChatTts.Edge.Api.SpeechRequestFields;
using Limits = ChatTts.Edge.Api.SpeechRequestLimits;

namespace ChatTts.Edge.Api.OpenApi;

/// <summary>
/// The fields of <c>/v1/tts/stream</c> (<see cref="SpeechRequestFields"/>) as OpenAPI schemas: the ranges the validator
/// enforces (<see cref="SpeechRequestLimits"/>) and, for the text and the chunk duration, this deployment's configuration.
/// </summary>
internal static class SpeechFieldSchemas
{
    public const string BodySchemaId = "SpeechRequest";

    private static readonly string[] Order = [Fields.Text, Fields.Voice, Fields.Seed, Fields.Speed, Fields.Temperature, Fields.TopP, Fields.TopK, Fields.ChunkMs, Fields.Split, Fields.ApiKey, Fields.LastEventId];

    /// <summary>The query parameters of <c>GET /v1/tts/stream</c>.</summary>
    public static IEnumerable<OpenApiParameter> QueryParameters(StreamingOptions streaming) =>
        Described(Fields.Query).Select(name =>
        {
            var schema = Schema(name, streaming, inBody: false);
            var description = schema.Description;
            schema.Description = null; // the parameter's, once
            return new OpenApiParameter { Name = name, In = ParameterLocation.Query, Required = name == Fields.Text, Schema = schema, Description = description };
        });

    /// <summary>The JSON body of <c>POST /v1/tts/stream</c>, as a component.</summary>
    public static OpenApiSchemaReference Body(OpenApiDocument document, StreamingOptions streaming) =>
        Schemas.Component(document, BodySchemaId, () => new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "The request's fields as one JSON object. Only `text` is required; `null` counts as left out. " +
                "A field that is not listed (`api_key` included: send the key in a header), or given twice, is a 400.",
            Properties = Described(Fields.Body).ToDictionary(name => name, name => (IOpenApiSchema)Schema(name, streaming, inBody: true), StringComparer.Ordinal),
            Required = new HashSet<string>(StringComparer.Ordinal) { Fields.Text },
            AdditionalPropertiesAllowed = false,
            Examples = [new JsonObject { [Fields.Text] = "Hello world", [Fields.Seed] = 42, [Fields.ChunkMs] = 500 }],
        });

    /// <summary><paramref name="fields"/> in the README's order (a field without a description fails the document).</summary>
    private static IEnumerable<string> Described(FrozenSet<string> fields) =>
        fields.OrderBy(f => Array.IndexOf(Order, f) is var i and >= 0 ? i : throw new InvalidOperationException($"The API field '{f}' has no OpenAPI description."));

    private static OpenApiSchema Schema(string name, StreamingOptions streaming, bool inBody)
    {
        var optional = inBody; // in a JSON body, null means "left out"
        return name switch
        {
            Fields.Text => new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                MinLength = 1,
                MaxLength = streaming.MaxTextCharacters, // JSON Schema counts Unicode characters, as the edge does
                Description = $"The words to speak: 1 to {streaming.MaxTextCharacters} Unicode characters (`Edge:Streaming:MaxTextCharacters`, " +
                    $"default {StreamingDefaults.MaxTextCharacters}) with at least one letter or digit. Longer is a 413. " +
                    (inBody ? "" : "Long texts may not fit the request line (414): send them with POST."),
            },
            Fields.Voice => new OpenApiSchema
            {
                Type = optional ? JsonSchemaType.String | JsonSchemaType.Null : JsonSchemaType.String,
                MaxLength = Limits.MaxVoiceLength,
                Description = $"A voice in the backend family's own terms, at most {Limits.MaxVoiceLength} printable characters; left out, " +
                    "each backend's default. `chattts-openai`: `default`, `alloy` or `echo`; `forge`: a speaker name (`female2`, `Alice`…); " +
                    "`chattts-ui`: a speaker seed (`2222`) or speaker file; `webui` takes none. The request goes only to backends that " +
                    "take the voice; a voice no backend of the proxy takes is a 400.",
            },
            Fields.Seed => Schemas.Integer("Sampling seed: the same text and seed give the same audio. Not sent to `chattts-openai` backends.",
                Limits.MinSeed, Limits.MaxSeed, optional),
            Fields.Speed => Schemas.Integer("Speaking speed; only `chattts-ui` backends use it (as `[speed_N]`).", Limits.MinSpeed, Limits.MaxSpeed, optional),
            Fields.Temperature => Schemas.Number("Sampling temperature.", Limits.MinTemperature, Limits.MaxTemperature, optional),
            Fields.TopP => Schemas.Number("Nucleus sampling: the probability mass to sample from.", Limits.MinTopP, Limits.MaxTopP, optional),
            Fields.TopK => Schemas.Integer("Top-k sampling: the number of candidates to sample from.", Limits.MinTopK, Limits.MaxTopK, optional),
            Fields.ChunkMs => WithDefault(
                Schemas.Integer($"Duration of each `audio` event in milliseconds (the last one may be shorter); left out, " +
                    $"`Edge:Streaming:DefaultChunkMs` ({streaming.DefaultChunkMs}).", Limits.MinChunkMs, Limits.MaxChunkMs, optional),
                streaming.DefaultChunkMs),
            Fields.Split => WithDefault(Schemas.Boolean("Whether a long text is split by sentence and spoken on several GPUs at once (`segment` " +
                "events say where each part starts): a text longer than `Edge:Segmentation:MaxSegmentCharacters` always, a shorter one when GPUs are " +
                "free for its parts, in as many near-equal parts as are free; `false` sends it to one backend whole."), true),
            Fields.ApiKey => Schemas.String("An API key or a browser token (`POST /v1/tokens`) for clients that cannot send headers, such as " +
                "`EventSource`. Elsewhere prefer `Authorization: Bearer` or `X-Api-Key`: a query string may end up in logs on the way."),
            Fields.LastEventId => new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                MaxLength = Limits.MaxLastEventIdLength,
                Description = "The `Last-Event-ID` header, for clients that cannot send it: the `id` of the last `audio` event the client had. " +
                    "A stream of the same caller and the same request, still kept (`Edge:Resume:Retention`), continues after that event " +
                    "(`meta.resumed_from`) with no new synthesis and no charge; any other id starts a new stream. The header wins when both are given.",
            },
            _ => throw new InvalidOperationException($"The API field '{name}' has no OpenAPI description."),
        };
    }

    private static OpenApiSchema WithDefault(OpenApiSchema schema, bool value)
    {
        schema.Default = JsonValue.Create(value);
        return schema;
    }

    private static OpenApiSchema WithDefault(OpenApiSchema schema, int value)
    {
        schema.Default = JsonValue.Create(value);
        return schema;
    }
}
