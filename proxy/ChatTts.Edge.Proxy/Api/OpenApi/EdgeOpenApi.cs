using ChatTts.Edge.Streaming;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace ChatTts.Edge.Api.OpenApi;

/// <summary>
/// The edge's OpenAPI document (<c>/openapi/v1.json</c>): its title, tags and overview, the operator endpoints ASP.NET Core does
/// not describe, and the answers every route can get (the edge's request-line and header limits, and any other error status).
/// </summary>
internal sealed class EdgeOpenApi : IOpenApiDocumentTransformer
{
    public const string DocumentName = "v1";
    public const string SpeechTag = "Speech";
    public const string QuotasTag = "Callers and quotas";
    public const string OperationsTag = "Operations";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        var streaming = context.ApplicationServices.GetRequiredService<IOptionsMonitor<StreamingOptions>>().CurrentValue;
        document.Info = new OpenApiInfo
        {
            Title = "ChatTts.Edge",
            Version = DocumentName,
            Description = "An edge proxy in front of ChatTTS GPU servers: text in, speech out as Server-Sent Events that a browser " +
                "`EventSource` can play, every `audio` event a complete little WAV file. Callers are identified by an API key, a browser " +
                "token or a TLS client certificate and charged to their plan; requests wait for a free GPU, are retried on another " +
                "backend before any audio, and fail with a clear status or `error` event, never a hang.\n\n" +
                "Every error status is `application/problem+json` (RFC 9457), the framework's own 404 and 405 included; only `/readyz` and `/readyz/pod` " +
                "answer their 503 with their health report, and OpenAI's routes (`/v1/audio/speech`, `/v1/models`) answer in OpenAI's error shape. The playground is at `/`; an interactive reference of this document is at " +
                "`/scalar/v1` in the Development and Demo environments.",
        };
        document.Tags = new HashSet<OpenApiTag>
        {
            new() { Name = SpeechTag, Description = "Text to speech, streamed." },
            new() { Name = QuotasTag, Description = "The caller's plan and usage, and browser tokens." },
            new() { Name = OperationsTag, Description = "Backends, metrics and probes, for operators and their tools." },
        };
        SecuritySchemes.Register(document);
        OperatorOpenApi.AddMiddlewareEndpoints(document, context.ApplicationServices);

        foreach (var operation in document.Paths.Values.SelectMany(p => p.Operations?.Values ?? Enumerable.Empty<OpenApiOperation>()))
        {
            operation.Responses ??= [];
            operation.Responses.TryAdd(Key(StatusCodes.Status414UriTooLong), Problem(document,
                $"The request line is over {HttpLimits.MaxRequestLineBytes(streaming.MaxTextCharacters)} bytes (room for the longest text, " +
                "percent-encoded, in a GET): send long texts with POST."));
            operation.Responses.TryAdd(Key(StatusCodes.Status431RequestHeaderFieldsTooLarge), Problem(document,
                $"The request's headers are over {HttpLimits.MaxRequestHeadersTotalBytes} bytes."));
            operation.Responses.TryAdd("default", Problem(document, "Any other error status is `application/problem+json` too."));
        }

        return Task.CompletedTask;
    }

    private static string Key(int status) => EdgeResponses.Key(status);

    private static OpenApiResponse Problem(OpenApiDocument document, string description) => EdgeResponses.Problem(document, description);
}
