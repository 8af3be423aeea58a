using ChatTts.Edge.Api;

namespace Microsoft.AspNetCore.Builder;

internal static class SpeechEndpoints
{
    /// <summary>
    /// <c>GET /v1/tts/stream?text=…</c> (for <c>EventSource</c>) and <c>POST /v1/tts/stream</c> with a JSON body:
    /// speech as Server-Sent Events, or <c>application/problem+json</c> when the request is refused. The caller is
    /// identified first (401), then the request validated (400/413/415), then charged to its plan (429).
    /// </summary>
    public static IEndpointRouteBuilder MapTtsStreaming(this IEndpointRouteBuilder endpoints)
    {
        var tts = endpoints.MapGroup("/v1/tts").AddEndpointFilter(new CallerFilter(allowTokens: true));
        tts.MapGet("/stream", (HttpContext context, SpeechRequestReader reader, SpeechStreamHandler handler) =>
            RespondAsync(context, reader.ReadQuery(context.Request), handler)).DescribeSpeechStream(query: true);
        tts.MapPost("/stream", async (HttpContext context, SpeechRequestReader reader, SpeechStreamHandler handler) =>
            await RespondAsync(context, await reader.ReadBodyAsync(context.Request, context.RequestAborted), handler)).DescribeSpeechStream(query: false);
        return endpoints;
    }

    private static Task RespondAsync(HttpContext context, SpeechRequestResult result, SpeechStreamHandler handler) =>
        result.Request is { } request ? handler.StreamAsync(context, request) : result.Problem!.ExecuteAsync(context);
}
