using ChatTts.Edge.Api;
using ChatTts.Edge.Api.OpenApi;
using ChatTts.Edge.Streaming;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using static ChatTts.Edge.Api.OpenApi.ResponseHeaders;

namespace Microsoft.AspNetCore.Builder;

/// <summary>The description of <c>GET</c> and <c>POST /v1/tts/stream</c>: fields, events and every answer before the stream opens.</summary>
internal static class SpeechStreamOpenApi
{
    public const string EventStream = "text/event-stream";

    /// <param name="query">True for <c>GET</c> (fields in the query), false for <c>POST</c> (a JSON body).</param>
    public static RouteHandlerBuilder DescribeSpeechStream(this RouteHandlerBuilder builder, bool query)
    {
        builder
            .WithName(query ? "streamSpeech" : "streamSpeechFromBody")
            .WithTags(EdgeOpenApi.SpeechTag)
            .WithSummary(query ? "Speech as Server-Sent Events, fields in the query (for EventSource)" : "Speech as Server-Sent Events, fields in a JSON body")
            .WithDescription("Identifies the caller (401), validates the request before any GPU hears of it (400, 413), charges the " +
                "caller's plan (429), waits for a free GPU slot, and streams the audio as Server-Sent Events. The status and headers go out " +
                "with the first audio, so a request that fails before any audio gets a real status and a problem; once the stream is open, " +
                "every failure is an `error` event. Every response carries `X-Request-Id`.")
            .ProducesEdgeResponse(StatusCodes.Status200OK, null, "The speech stream: each event is one of `SpeechEvent`, in the order " +
                "`queued`… `meta`, `audio`…, then `done` or `error`. The stream opens early (with a `queued` event, or a `: keepalive` " +
                "comment after `Edge:Streaming:KeepAliveInterval`) when the first audio takes a while.", EventStream,
                [RequestId, .. RateLimit, ServerTiming])
            .ProducesEdgeValidationProblem("Invalid input, nothing sent to a GPU: a missing or blank `text`, text with nothing to speak, " +
                "text that is not valid Unicode, an unknown field, a field given twice, a value of the wrong type or out of range, a voice no " +
                "backend takes" + (query ? ", a query that is not UTF-8" : ", a body that is not a JSON object, `api_key` in the body") +
                ". Also a request the backend itself refused as invalid (`detail` quotes it; not retried). `errors` lists the mistakes per field.", RequestId)
            .ProducesEdgeProblem(StatusCodes.Status401Unauthorized, "No API key (unless anonymous callers are allowed), an unknown key, a " +
                "malformed `Authorization` header, or a tampered or expired token.", RequestId, WwwAuthenticate)
            .ProducesEdgeProblem(StatusCodes.Status413PayloadTooLarge, "`text` longer than `Edge:Streaming:MaxTextCharacters`, or than the " +
                "browser token's character cap" + (query ? "." : $", or a body over {HttpLimits.MaxBodyBytes} bytes."), RequestId);
        if (!query)
        {
            builder.ProducesEdgeProblem(StatusCodes.Status415UnsupportedMediaType, "The body is not `Content-Type: application/json`.", RequestId);
        }

        return builder
            .ProducesEdgeProblem(StatusCodes.Status429TooManyRequests, "The key's plan is used up: `limit` says which (`rate`, `characters` " +
                "or `concurrency`).", [RequestId, RetryAfter, .. RateLimit, ServerTiming])
            .ProducesEdgeProblem(StatusCodes.Status500InternalServerError, "An unexpected failure of the edge itself (logged with the request id).", RequestId)
            .ProducesEdgeProblem(StatusCodes.Status502BadGateway, "The backend failed before sending audio: unreachable, an error status, " +
                "not speaking its dialect, or a message over the edge's size limits (after retries on other backends).", RequestId)
            .ProducesEdgeProblem(StatusCodes.Status503ServiceUnavailable, "Every GPU busy and the queue full, no GPU free within " +
                "`Edge:Admission:MaxQueueWait`, no backend available, the proxy shutting down, the last backend tried busy, or the quota " +
                "store unreachable under `Edge:Quotas:FailureMode=Closed`.", RequestId, RetryAfter)
            .ProducesEdgeProblem(StatusCodes.Status504GatewayTimeout, "No backend sent audio within `Edge:Streaming:FirstAudioTimeout`.", RequestId)
            .AddOpenApiOperationTransformer((operation, context, _) =>
            {
                var document = context.Document!;
                var streaming = context.ApplicationServices.GetRequiredService<IOptionsMonitor<StreamingOptions>>().CurrentValue;
                var lastEventId = new OpenApiParameter
                {
                    Name = "Last-Event-ID",
                    In = ParameterLocation.Header,
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = SpeechRequestLimits.MaxLastEventIdLength },
                    Description = "The `id` of the last `audio` event the client had (`EventSource` sends it when it reconnects): a stream of the " +
                        "same caller and the same request, still kept, continues after it with no new synthesis and no charge (`meta.resumed_from`); " +
                        "any other id starts a new stream.",
                };
                if (query)
                {
                    operation.Parameters = [.. SpeechFieldSchemas.QueryParameters(streaming), lastEventId];
                }
                else
                {
                    operation.Parameters = [lastEventId];
                    operation.RequestBody = new OpenApiRequestBody
                    {
                        Required = true,
                        Description = "The request's fields.",
                        Content = new Dictionary<string, OpenApiMediaType>(StringComparer.Ordinal)
                        {
                            ["application/json"] = new() { Schema = SpeechFieldSchemas.Body(document, streaming) },
                        },
                    };
                }

                if (operation.Responses?[EdgeResponses.Key(StatusCodes.Status200OK)] is OpenApiResponse ok)
                {
                    ok.Content = new Dictionary<string, OpenApiMediaType>(StringComparer.Ordinal)
                    {
                        [EventStream] = new()
                        {
                            Schema = SpeechEventSchemas.Register(document),
                            Extensions = new Dictionary<string, IOpenApiExtension>(StringComparer.Ordinal)
                            {
                                ["x-sse-events"] = new JsonNodeExtension(new System.Text.Json.Nodes.JsonArray([.. SpeechEventSchemas.EventNames.Select(n => (System.Text.Json.Nodes.JsonNode?)n)])),
                                ["x-sse-keepalive-comment"] = new JsonNodeExtension(SpeechEventSchemas.KeepAliveComment),
                            },
                        },
                    };
                }

                operation.Security = SecuritySchemes.Caller(document, context.ApplicationServices, query, anonymous: true);
                return Task.CompletedTask;
            });
    }
}
