using ChatTts.Edge.Quotas;

namespace ChatTts.Edge.Streaming;

/// <summary>
/// The SSE stream for a validated request: charged to the caller's plan first (429 when over it), then run by
/// <see cref="TtsStreamer"/>; the quota lease is released when the stream ends, refunding the characters if no
/// audio was sent.
/// </summary>
internal sealed class TtsStreamResult(SpeechRequest request) : IResult
{
    public SpeechRequest Request { get; } = request;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var services = httpContext.RequestServices;
        var admission = await services.GetRequiredService<QuotaGate>().AdmitAsync(httpContext, CallerContext.Get(httpContext), Request.Characters);
        if (admission.Ticket is not { } ticket)
        {
            await admission.Problem!.ExecuteAsync(httpContext);
            return;
        }

        using (ticket)
        {
            var audioSent = false;
            try
            {
                audioSent = await services.GetRequiredService<TtsStreamer>().StreamAsync(httpContext, Request);
            }
            finally
            {
                await ticket.CompleteAsync(audioSent);
            }
        }
    }
}
