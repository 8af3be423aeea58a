using ChatTts.Emulator.Dialects;
using ChatTts.Emulator.Faults;
using ChatTts.Emulator.Recording;
using ChatTts.Emulator.Speech;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ChatTts.Emulator.Streaming;

/// <summary>The synthesis endpoint of one instance: records the request, applies the fault switches, validates,
/// then computes on the <see cref="EmulatedGpu"/> while the audio streams, as the dialect's server does — stopping
/// when the client leaves, or computing on to the end with the GPU held (<see cref="ServerBehaviour.KeepsComputingAfterDisconnect"/>).</summary>
internal sealed partial class SynthesisEndpoint(
    EmulatorOptions options,
    Dialect dialect,
    ServerBehaviour behaviour,
    EmulatorFaults faults,
    EmulatorStats stats,
    EmulatedGpu gpu,
    SpeechSynthesizer speech,
    AudioResponder responder,
    IHostApplicationLifetime lifetime,
    ILogger<SynthesisEndpoint> logger)
{
    public async Task HandleAsync(HttpContext context)
    {
        using var inFlight = stats.Enter();
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        var cancellationToken = cancellation.Token;
        var request = await ReadAsync(context.Request, cancellationToken);
        stats.Record(request.Record);
        if ((FaultGate.Rejection(dialect, faults, context.Response) ?? request.Rejection) is { } rejection)
        {
            await rejection.ExecuteAsync(context);
            Log.Rejected(logger, dialect.Name, context.Response.StatusCode);
            return;
        }

        if (faults.OversizeMessageBytes is { } size)
        {
            Log.Oversize(logger, dialect.Name, size);
            try
            {
                await OversizeMessage.WriteAsync(context, dialect, size, cancellationToken);
            }
            catch (Exception e) when (e is OperationCanceledException or IOException && cancellationToken.IsCancellationRequested)
            {
                // The client stopped reading it: that is what such a message is for.
            }

            return;
        }

        var session = new SynthesisSession();
        try
        {
            using var lease = await gpu.AcquireAsync(cancellationToken);
            await SynthesizeAsync(context, request, session, cancellationToken);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException
            && (cancellationToken.IsCancellationRequested || session.KilledByFault))
        {
            // How it ended is told by the session and the tokens below.
        }

        Conclude(context, session);
    }

    // Records the trace the request belongs to and how the body came (and, under RequireContentLength, reads a chunked one as empty), then parses it.
    private async Task<ParsedRequest> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var chunked = request.Headers.TransferEncoding.ToString().Contains("chunked", StringComparison.OrdinalIgnoreCase);
        var contentLength = request.Headers.ContentLength;
        if (options.RequireContentLength && contentLength is null)
        {
            request.Body = Stream.Null;
        }

        var parsed = await dialect.ParseAsync(request, cancellationToken);
        var traceParent = request.Headers["traceparent"] is [{ } header] ? header : null;
        return parsed with { Record = parsed.Record with { ContentLength = contentLength, ChunkedBody = chunked, TraceParent = traceParent } };
    }

    // The GPU computes in a run of its own; the answer follows it. When the answer ends early, the run is stopped,
    // or, for a server that keeps computing, waited for: the caller's lease keeps the GPU until then.
    private async Task SynthesizeAsync(HttpContext context, ParsedRequest request, SynthesisSession session, CancellationToken cancellationToken)
    {
        Log.Started(logger, dialect.Name, request.Record.Text.Length, request.Framing);
        using var computing = CancellationTokenSource.CreateLinkedTokenSource(
            behaviour.KeepsComputingAfterDisconnect ? lifetime.ApplicationStopping : cancellationToken);
        var run = SynthesisRun.Start(
            new PcmPacer(options, faults, gpu), speech.GetPcmAsync(dialect.KeyFor(request.Record)), cancellationToken, computing.Token);
        try
        {
            await responder.RespondAsync(context, request, run, session, cancellationToken);
        }
        finally
        {
            if (!session.Completed)
            {
                if (!behaviour.KeepsComputingAfterDisconnect)
                {
                    await computing.CancelAsync();
                }
                else if (ClientLeft(context, session))
                {
                    RecordClientGone(session, computingOn: true);
                }

                await run.WaitForEndAsync();
            }
        }
    }

    private void Conclude(HttpContext context, SynthesisSession session)
    {
        if (session.Completed)
        {
            Log.Completed(logger, dialect.Name);
        }
        else if (session.KilledByFault)
        {
            Log.Killed(logger, dialect.Name);
        }
        else if (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            context.Abort();
        }
        else if (ClientLeft(context, session))
        {
            RecordClientGone(session, computingOn: false);
        }
    }

    private bool ClientLeft(HttpContext context, SynthesisSession session) =>
        context.RequestAborted.IsCancellationRequested && !session.KilledByFault && !session.ClientGoneRecorded
        && !lifetime.ApplicationStopping.IsCancellationRequested;

    private void RecordClientGone(SynthesisSession session, bool computingOn)
    {
        session.ClientGoneRecorded = true;
        stats.RecordAbort();
        if (computingOn)
        {
            Log.ClientGoneComputingOn(logger, dialect.Name);
        }
        else
        {
            Log.ClientGone(logger, dialect.Name);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(2001, LogLevel.Information, "{Dialect}: synthesis of {Characters} characters started ({Framing})")]
        public static partial void Started(ILogger logger, string dialect, int characters, AudioFraming framing);

        [LoggerMessage(2002, LogLevel.Information, "{Dialect}: synthesis completed")]
        public static partial void Completed(ILogger logger, string dialect);

        [LoggerMessage(2003, LogLevel.Information, "{Dialect}: request answered {StatusCode} without synthesis")]
        public static partial void Rejected(ILogger logger, string dialect, int statusCode);

        [LoggerMessage(2004, LogLevel.Information, "{Dialect}: the client went away; synthesis stopped")]
        public static partial void ClientGone(ILogger logger, string dialect);

        [LoggerMessage(2005, LogLevel.Information, "{Dialect}: connection aborted on purpose (DieAfterBytes)")]
        public static partial void Killed(ILogger logger, string dialect);

        [LoggerMessage(2006, LogLevel.Information, "{Dialect}: the client went away; the synthesis computes on to its end, the GPU held")]
        public static partial void ClientGoneComputingOn(ILogger logger, string dialect);

        [LoggerMessage(2007, LogLevel.Information, "{Dialect}: answered with one message of {Bytes} bytes (OversizeMessageBytes)")]
        public static partial void Oversize(ILogger logger, string dialect, long bytes);
    }
}
