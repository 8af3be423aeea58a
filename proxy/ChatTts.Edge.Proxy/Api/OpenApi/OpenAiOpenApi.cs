using System.Text.Json.Nodes;
using ChatTts.Edge.Api.OpenAi;
using ChatTts.Edge.Api.OpenApi;
using ChatTts.Edge.Streaming;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using static ChatTts.Edge.Api.OpenApi.ResponseHeaders;
using F = ChatTts.Edge.Api.OpenAi.OpenAiSpeechFields;

namespace Microsoft.AspNetCore.Builder;

/// <summary>The description of OpenAI's speech API on the edge: <c>POST /v1/audio/speech</c> and <c>GET /v1/models</c>.</summary>
internal static class OpenAiOpenApi
{
    public const string ErrorSchemaId = "OpenAiError";
    private const string Json = "application/json";

    public static RouteHandlerBuilder DescribeOpenAiSpeech(this RouteHandlerBuilder builder) => builder
        .WithName("createSpeech")
        .WithTags(EdgeOpenApi.SpeechTag)
        .WithSummary("OpenAI's speech API: the audio as it is synthesized, or as speech.audio events")
        .WithDescription("OpenAI's `POST /v1/audio/speech`, for its SDKs (`client.audio.speech.create`) and the gateways that speak its API, " +
            "with the streaming API's caller identification, quotas (characters of `input`), admission queue and retries. The status and " +
            "headers go out with the first audio; a failure before it is an error in OpenAI's shape. A failure after it cuts the audio body " +
            "off (a broken transfer, never a short file that looks whole) or, with `stream_format: \"sse\"`, is an `error` event.")
        .ProducesEdgeResponse(StatusCodes.Status200OK, null, "The audio: with `stream_format: \"audio\"` a chunked `audio/wav` (a 44-byte header " +
            "with sizes 0xFFFFFFFF, then s16le 24 kHz mono PCM) or `audio/pcm` (the PCM alone) body; with `\"sse\"`, `speech.audio.delta` " +
            "events whose base64 `audio` are consecutive byte ranges of that same body, then `speech.audio.done`.", "audio/wav",
            [RequestId, .. RateLimit, ServerTiming])
        .ProducesOpenAiError(StatusCodes.Status400BadRequest, "Invalid input, nothing sent to a GPU: a missing field, an unknown `model` or " +
            "`voice`, an unsupported `response_format` (`mp3`, `opus`, `aac`, `flac`: only `wav` and `pcm` are served), `speed` outside " +
            "0.25–4.0, an unknown field, text with nothing to speak; `param` names the first field at fault.")
        .ProducesOpenAiError(StatusCodes.Status401Unauthorized, "No API key (unless anonymous callers are allowed) or an unknown one.", WwwAuthenticate)
        .ProducesOpenAiError(StatusCodes.Status413PayloadTooLarge, "`input` longer than `Edge:Streaming:MaxTextCharacters`, or a body over the limit.")
        .ProducesOpenAiError(StatusCodes.Status415UnsupportedMediaType, "The body is not `Content-Type: application/json`.")
        .ProducesOpenAiError(StatusCodes.Status429TooManyRequests, "The key's plan is used up (`type` `insufficient_quota` for its characters " +
            "of the day, `rate_limit_error` otherwise).", [RetryAfter, .. RateLimit])
        .ProducesOpenAiError(StatusCodes.Status500InternalServerError, "An unexpected failure of the edge itself.")
        .ProducesOpenAiError(StatusCodes.Status502BadGateway, "The backend failed before sending audio (after retries on other backends).")
        .ProducesOpenAiError(StatusCodes.Status503ServiceUnavailable, "No GPU free in time, the queue full, no backend available, or the proxy shutting down.", RetryAfter)
        .ProducesOpenAiError(StatusCodes.Status504GatewayTimeout, "No backend sent audio within `Edge:Streaming:FirstAudioTimeout`.")
        .AddOpenApiOperationTransformer((operation, context, _) =>
        {
            var document = context.Document!;
            var streaming = context.ApplicationServices.GetRequiredService<IOptionsMonitor<StreamingOptions>>().CurrentValue;
            var openAi = context.ApplicationServices.GetRequiredService<IOptionsMonitor<OpenAiOptions>>().CurrentValue;
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType>(StringComparer.Ordinal) { [Json] = new() { Schema = Body(document, streaming, openAi) } },
            };
            if (operation.Responses?[EdgeResponses.Key(StatusCodes.Status200OK)] is OpenApiResponse ok)
            {
                var binary = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" };
                ok.Content = new Dictionary<string, OpenApiMediaType>(StringComparer.Ordinal)
                {
                    ["audio/wav"] = new() { Schema = binary },
                    ["audio/pcm"] = new() { Schema = binary },
                    [SpeechStreamOpenApi.EventStream] = new() { Schema = Events(document) },
                };
            }

            return Finish(operation, context);
        });

    public static RouteHandlerBuilder DescribeOpenAiModels(this RouteHandlerBuilder builder) => builder
        .WithName("listModels")
        .WithTags(EdgeOpenApi.SpeechTag)
        .WithSummary("OpenAI's model list: the model ids POST /v1/audio/speech accepts")
        .WithDescription("The ids of `Edge:OpenAi:Models`, in OpenAI's list shape; every one speaks with the same ChatTTS fleet.")
        .ProducesEdgeResponse(StatusCodes.Status200OK, typeof(OpenAiEndpoints.ModelList), "The models.", Json)
        .ProducesOpenAiError(StatusCodes.Status401Unauthorized, "No API key (unless anonymous callers are allowed) or an unknown one.", WwwAuthenticate)
        .AddOpenApiOperationTransformer((operation, context, _) => Finish(operation, context));

    public static RouteHandlerBuilder DescribeOpenAiModel(this RouteHandlerBuilder builder) => builder
        .WithName("retrieveModel")
        .WithTags(EdgeOpenApi.SpeechTag)
        .WithSummary("One model of OpenAI's model list")
        .ProducesEdgeResponse(StatusCodes.Status200OK, typeof(OpenAiEndpoints.ModelEntry), "The model.", Json)
        .ProducesOpenAiError(StatusCodes.Status401Unauthorized, "No API key (unless anonymous callers are allowed) or an unknown one.", WwwAuthenticate)
        .ProducesOpenAiError(StatusCodes.Status404NotFound, "No such model id in `Edge:OpenAi:Models`.")
        .AddOpenApiOperationTransformer((operation, context, _) => Finish(operation, context));

    private static RouteHandlerBuilder ProducesOpenAiError(this RouteHandlerBuilder builder, int status, string description, params string[] headers) =>
        builder.ProducesEdgeResponse(status, null, description, Json, [RequestId, .. headers]);

    /// <summary>Every error of these routes, the edge's common ones included, is OpenAI's error object; the caller's credentials.</summary>
    private static Task Finish(OpenApiOperation operation, Microsoft.AspNetCore.OpenApi.OpenApiOperationTransformerContext context)
    {
        var document = context.Document!;
        operation.Responses ??= [];
        operation.Responses.TryAdd(EdgeResponses.Key(StatusCodes.Status414UriTooLong), new OpenApiResponse { Description = "The request line is over the edge's limit." });
        operation.Responses.TryAdd(EdgeResponses.Key(StatusCodes.Status431RequestHeaderFieldsTooLarge), new OpenApiResponse { Description = "The request's headers are over the edge's limit." });
        operation.Responses.TryAdd("default", new OpenApiResponse { Description = "Any other error status, in OpenAI's error shape too." });
        var error = Schemas.Component(document, ErrorSchemaId, () => Schemas.Object("OpenAI's error answer.", ("error", ErrorBody(document), true)));
        foreach (var (status, response) in operation.Responses)
        {
            if ((status == "default" || status[0] is '4' or '5') && response is OpenApiResponse answer)
            {
                answer.Content = new Dictionary<string, OpenApiMediaType>(StringComparer.Ordinal) { [Json] = new() { Schema = error } };
            }
        }

        operation.Security = SecuritySchemes.Caller(document, context.ApplicationServices, query: false, anonymous: true);
        return Task.CompletedTask;
    }

    private static OpenApiSchemaReference Body(OpenApiDocument document, StreamingOptions streaming, OpenAiOptions openAi) =>
        Schemas.Component(document, "OpenAiSpeechRequest", () => new OpenApiSchema
        {
            Type = JsonSchemaType.Object,
            Description = "OpenAI's speech request. A field not listed here is a 400, as at OpenAI.",
            Properties = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal)
            {
                [F.Model] = Schemas.Enum("A model id of `Edge:OpenAi:Models`; all speak with the same ChatTTS fleet.", openAi.ModelIds),
                [F.Input] = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 1, MaxLength = streaming.MaxTextCharacters,
                    Description = $"The words to speak: the streaming API's `text`, 1 to {streaming.MaxTextCharacters} Unicode characters, charged to the plan." },
                [F.Voice] = Schemas.Enum("An OpenAI voice name of `Edge:OpenAi:Voices`, which maps it to the edge's `voice` (empty: the backend's default).",
                    openAi.Voices.Keys.Order(StringComparer.Ordinal)),
                [F.ResponseFormat] = Schemas.Enum("`wav` (the default here; OpenAI's is `mp3`, which the edge does not encode) or `pcm`.", F.SupportedFormats),
                [F.Speed] = Schemas.Number("0.25–4.0, 1 normal; mapped to the streaming API's `speed` 1–9 on a log scale (0.5 → 3, 2 → 7), which only " +
                    "some dialects honour (see the README's field table).", F.MinSpeed, F.MaxSpeed),
                [F.Instructions] = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = F.MaxInstructionsLength, Description = "Accepted and ignored: ChatTTS takes no style prompt." },
                [F.StreamFormat] = Schemas.Enum("`audio` (the default): the file as a chunked body; `sse`: `speech.audio.*` events.", F.StreamFormats),
            },
            Required = new HashSet<string>(StringComparer.Ordinal) { F.Model, F.Input, F.Voice },
            AdditionalPropertiesAllowed = false,
            Examples = [new JsonObject { [F.Model] = "tts-1", [F.Input] = "Hello world", [F.Voice] = "alloy", [F.ResponseFormat] = "wav" }],
        });

    private static OpenApiSchemaReference Events(OpenApiDocument document) => Schemas.Component(document, "OpenAiSpeechEvent", () => new OpenApiSchema
    {
        Description = "The `data:` of one event of `stream_format: \"sse\"`: `speech.audio.delta` × N, then `speech.audio.done` (or, in an " +
            "`event: error`, `{\"type\":\"error\",\"error\":{…}}`).",
        OneOf =
        [
            Schemas.Object("A consecutive byte range of the audio body `stream_format: \"audio\"` would send (the WAV header included, for `wav`).",
                ("type", Schemas.Const("speech.audio.delta", "The event type."), true),
                ("audio", new OpenApiSchema { Type = JsonSchemaType.String, ContentEncoding = "base64", Description = "The bytes, base64-encoded." }, true)),
            Schemas.Object("The last event: what was charged and sent.",
                ("type", Schemas.Const("speech.audio.done", "The event type."), true),
                ("usage", Schemas.Object("ChatTTS counts no tokens: `input_tokens` are the characters of `input`, `output_tokens` 20 ms units of audio.",
                    ("input_tokens", Schemas.Integer("Characters of `input`.", minimum: 0, int64: true), true),
                    ("output_tokens", Schemas.Integer("Audio sent, in 20 ms units, rounded up.", minimum: 0, int64: true), true),
                    ("total_tokens", Schemas.Integer("The sum.", minimum: 0, int64: true), true)), true)),
            Schemas.Object("A failure after the stream opened (`event: error`).",
                ("type", Schemas.Const("error", "The event type."), true),
                ("error", ErrorBody(document), true)),
        ],
    });

    /// <summary>The error object, registered once.</summary>
    private static OpenApiSchemaReference ErrorBody(OpenApiDocument document) => Schemas.Component(document, ErrorSchemaId + "Body", () => Schemas.Object(
        "What went wrong, as OpenAI's SDKs read it (they raise it as their exception for the status).",
        ("message", Schemas.String("What went wrong, for people."), true),
        ("type", Schemas.Enum("The kind of error.", ["invalid_request_error", "authentication_error", "rate_limit_error", "insufficient_quota", "server_error"]), true),
        ("param", Schemas.String("The request field at fault, if one is.", nullable: true), true),
        ("code", Schemas.String("A stable code: `model_not_found`, `unsupported_response_format`, `invalid_api_key`, `rate_limit_exceeded`, or the " +
            "streaming API's `error` codes (`queue_timeout`, `backend_timeout`…) for failures after the audio started.", nullable: true), true)));
}
