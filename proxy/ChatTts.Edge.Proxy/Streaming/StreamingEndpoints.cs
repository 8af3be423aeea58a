using ChatTts.Edge.Quotas;
using ChatTts.Edge.Streaming;

namespace Microsoft.AspNetCore.Builder;

internal static class StreamingEndpoints
{
    /// <summary>
    /// <c>GET /v1/tts/stream?text=…</c> (for <c>EventSource</c>) and <c>POST /v1/tts/stream</c> with a JSON body:
    /// speech as Server-Sent Events, or <c>application/problem+json</c> when the request is refused. The caller is
    /// identified first (401), then the request validated (400/413/415), then charged to its plan (429).
    /// </summary>
    public static IEndpointRouteBuilder MapTtsStreaming(this IEndpointRouteBuilder endpoints)
    {
        var tts = endpoints.MapGroup("/v1/tts").AddEndpointFilter((context, next) =>
        {
            context.HttpContext.Response.Headers[EdgeHeaders.RequestId] = context.HttpContext.TraceIdentifier;
            return next(context);
        }).AddEndpointFilter(new CallerFilter(allowTokens: true));
        tts.MapGet("/stream", (HttpRequest request, SpeechRequestReader reader) => ToResult(reader.ReadQuery(request)));
        tts.MapPost("/stream", async (HttpRequest request, SpeechRequestReader reader, CancellationToken cancellationToken) =>
            ToResult(await reader.ReadBodyAsync(request, cancellationToken)));
        return endpoints;
    }

    private static IResult ToResult(SpeechRequestResult result) =>
        result.Request is { } request ? new TtsStreamResult(request) : result.Problem!;
}
