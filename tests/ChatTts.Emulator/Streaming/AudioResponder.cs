using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using ChatTts.Emulator.Dialects;
using ChatTts.Emulator.Wav;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace ChatTts.Emulator.Streaming;

/// <summary>Writes one synthesis in its dialect's <see cref="AudioFraming"/> as the <see cref="SynthesisRun"/>
/// computes it, shaped by <see cref="ShapedResponseStream"/>.</summary>
internal sealed class AudioResponder(EmulatorOptions options, EmulatorFaults faults, Dialect dialect)
{
    // Silence after the PCM of a whole WAV that announces more than it has, written a piece at a time.
    private static readonly byte[] Silence = new byte[64 * 1024];

    public async Task RespondAsync(HttpContext context, ParsedRequest request, SynthesisRun run, SynthesisSession session, CancellationToken cancellationToken)
    {
        var started = options.TimeProvider.GetTimestamp();
        var steps = run.ReadStepsAsync(cancellationToken);
        var body = new ShapedResponseStream(context, options, faults, session);
        switch (request.Framing)
        {
            case AudioFraming.EventStream:
                await StartStreamingAsync(context, "text/event-stream", cancellationToken);
                await SseFormatter.WriteAsync(ToEvents(steps, cancellationToken), body, cancellationToken);
                break;
            case AudioFraming.WavStreamUnknownSize:
                await StartStreamingAsync(context, "audio/wav", cancellationToken);
                await WriteWavStreamAsync(body, steps, WavHeader.Streaming(WavHeader.UnknownSize), cancellationToken);
                break;
            case AudioFraming.WavStreamZeroSize:
                await StartStreamingAsync(context, "audio/wav", cancellationToken);
                await WriteWavStreamAsync(body, steps, WavHeader.Create(WavHeader.Size - 8, 0), cancellationToken);
                break;
            case AudioFraming.WholeWav:
                var audio = await GenerateAllAsync(steps, run.Pcm);
                await WriteWholeWavAsync(context, body, audio, faults.AnnouncedDataBytes, cancellationToken);
                break;
            case AudioFraming.JsonSummary:
                var length = (await GenerateAllAsync(steps, run.Pcm)).Length;
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

    // The WAV header goes out with the first step, as both streaming servers write it.
    private static async Task WriteWavStreamAsync(Stream body, IAsyncEnumerable<ReadOnlyMemory<byte>> steps, byte[] header, CancellationToken cancellationToken)
    {
        var headerPending = true;
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

    private async Task WriteWholeWavAsync(HttpContext context, Stream body, byte[] audio, long? announced, CancellationToken cancellationToken)
    {
        var dataBytes = announced ?? audio.Length;
        context.Response.ContentType = dialect.WavContentType;
        context.Response.ContentLength = WavHeader.Size + dataBytes;
        await body.WriteAsync(WavHeader.Create((uint)(WavHeader.Size - 8 + dataBytes), (uint)dataBytes), cancellationToken);
        var pcm = audio.AsMemory(0, (int)Math.Min(audio.Length, dataBytes));
        await body.WriteAsync(pcm, cancellationToken);
        for (var left = dataBytes - pcm.Length; left > 0; left -= Silence.Length)
        {
            await body.WriteAsync(Silence.AsMemory(0, (int)Math.Min(left, Silence.Length)), cancellationToken);
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
    private static async Task<byte[]> GenerateAllAsync(IAsyncEnumerable<ReadOnlyMemory<byte>> steps, Task<byte[]> pcm)
    {
        await foreach (var _ in steps)
        {
        }

        return await pcm;
    }
}
