namespace ChatTts.Edge.Streaming;

/// <summary>The SSE stream for a validated request; see <see cref="TtsStreamer"/>.</summary>
internal sealed class TtsStreamResult(SpeechRequest request) : IResult
{
    public SpeechRequest Request { get; } = request;

    public Task ExecuteAsync(HttpContext httpContext) =>
        httpContext.RequestServices.GetRequiredService<TtsStreamer>().StreamAsync(httpContext, Request);
}
