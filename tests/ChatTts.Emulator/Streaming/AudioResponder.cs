using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using ChatTts.Emulator.Dialects;
using ChatTts.Emulator.Wav;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace ChatTts.Emulator.Streaming;

/// <summary>Writes one synthesis in its dialect's <see cref="AudioFraming"/>, paced by <see cref="PcmPacer"/>
/// and shaped by <see cref="ShapedResponseStream"/>.</summary>
internal sealed class AudioResponder(EmulatorOptions options, EmulatorFaults faults)
{
    public async Task RespondAsync(HttpContext context, ParsedRequest request, Task<byte[]> pcm, SynthesisSession session, CancellationToken cancellationToken)
    {
        var started = options.TimeProvider.GetTimestamp();
        var steps = new PcmPacer(options, faults).StepsAsync(pcm, cancellationToken);
        var body = new ShapedResponseStream(context, options, faults.DieAfterBytes, session);
        switch (request.Framing)
        {
            case AudioFraming.EventStream:
                await StartStreamingAsync(context, "text/event-stream", cancellationToken);
                await SseFormatter.WriteAsync(ToEvents(steps, cancellationToken), body, cancellationToken);
                break;
            case AudioFraming.WavStreamUnknownSize:
                await StartStreamingAsync(context, "audio/wav", cancellationToken);
                await WriteWavStreamAsync(body, steps, WavHeader.Streaming(WavHeader.UnknownSize), headerFirst: false, cancellationToken);
                break;
            case AudioFraming.WavStreamZeroSize:
                await StartStreamingAsync(context, "audio/wav", cancellationToken);
                await WriteWavStreamAsync(body, steps, WavHeader.Streaming(0), headerFirst: true, cancellationToken);
                break;
            case AudioFraming.WholeWav:
                var audio = await GenerateAllAsync(steps, pcm, cancellationToken);
                context.Response.ContentType = "audio/wav";
                context.Response.ContentLength = WavHeader.Size + audio.Length;
                await body.WriteAsync(WavHeader.ForPcm(audio.Length), cancellationToken);
                await body.WriteAsync(audio, cancellationToken);
                break;
            case AudioFraming.JsonSummary:
                var length = (await GenerateAllAsync(steps, pcm, cancellationToken)).Length;
                context.Response.Body = body;
                await request.Summary!(length, options.TimeProvider.GetElapsedTime(started)).ExecuteAsync(context);
                break;
            default:
                throw new InvalidOperationException($"Unknown framing {request.Framing}.");
        }

        session.Completed = true;
    }

    // Headers go out at once, as a streaming server's do; the audio follows when it is generated.
    private static async Task StartStreamingAsync(HttpContext context, string contentType, CancellationToken cancellationToken)
    {
        context.Response.ContentType = contentType;
        context.Response.Headers.CacheControl = "no-cache";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        await context.Response.StartAsync(cancellationToken);
        await context.Response.Body.FlushAsync(cancellationToken);
    }

    private static async Task WriteWavStreamAsync(
        Stream body, IAsyncEnumerable<ReadOnlyMemory<byte>> steps, byte[] header, bool headerFirst, CancellationToken cancellationToken)
    {
        if (headerFirst)
        {
            await body.WriteAsync(header, cancellationToken);
        }

        var headerPending = !headerFirst;
        await foreach (var step in steps)
        {
            if (headerPending)
            {
                await body.WriteAsync(header, cancellationToken);
                headerPending = false;
            }

            await body.WriteAsync(step, cancellationToken);
        }
    }

    private static async IAsyncEnumerable<SseItem<string>> ToEvents(
        IAsyncEnumerable<ReadOnlyMemory<byte>> steps, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var step in steps.WithCancellation(cancellationToken))
        {
            yield return new SseItem<string>(Convert.ToBase64String(step.Span));
        }
    }

    // Non-streaming answers wait for the whole generation (and stall like it) before sending anything.
    private static async Task<byte[]> GenerateAllAsync(IAsyncEnumerable<ReadOnlyMemory<byte>> steps, Task<byte[]> pcm, CancellationToken cancellationToken)
    {
        await foreach (var _ in steps.WithCancellation(cancellationToken))
        {
        }

        return await pcm;
    }
}
