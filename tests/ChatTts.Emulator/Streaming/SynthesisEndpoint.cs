using ChatTts.Emulator.Dialects;
using ChatTts.Emulator.Faults;
using ChatTts.Emulator.Recording;
using ChatTts.Emulator.Speech;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ChatTts.Emulator.Streaming;

/// <summary>The synthesis endpoint of one instance: records the request, applies the fault switches,
/// validates, then holds a GPU slot (one, as in one ChatTTS process, unless <see cref="EmulatorOptions.Concurrency"/> says more) while the audio streams, as one ChatTTS process does.</summary>
internal sealed partial class SynthesisEndpoint(
    EmulatorOptions options,
    Dialect dialect,
    EmulatorFaults faults,
    EmulatorStats stats,
    SpeechSynthesizer speech,
    AudioResponder responder,
    IHostApplicationLifetime lifetime,
    ILogger<SynthesisEndpoint> logger) : IDisposable
{
    private readonly SemaphoreSlim _gpu = new(options.Concurrency, options.Concurrency);

    public async Task HandleAsync(HttpContext context)
    {
        using var inFlight = stats.Enter();
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        var cancellationToken = cancellation.Token;
        var request = await dialect.ParseAsync(context.Request, cancellationToken);
        stats.Record(request.Record);
        if ((FaultGate.Rejection(dialect, faults, context.Response) ?? request.Rejection) is { } rejection)
        {
            await rejection.ExecuteAsync(context);
            Log.Rejected(logger, dialect.Name, context.Response.StatusCode);
            return;
        }

        var session = new SynthesisSession();
        try
        {
            await _gpu.WaitAsync(cancellationToken);
            try
            {
                using var busy = stats.HoldGpu();
                Log.Started(logger, dialect.Name, request.Record.Text.Length, request.Framing);
                var pcm = speech.GetPcmAsync(dialect.KeyFor(request.Record));
                await responder.RespondAsync(context, request, pcm, session, cancellationToken);
            }
            finally
            {
                _gpu.Release();
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException
            && (cancellationToken.IsCancellationRequested || session.KilledByFault))
        {
            // How it ended is told by the session and the tokens below.
        }

        Conclude(context, session);
    }

    public void Dispose() => _gpu.Dispose();

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
        else if (context.RequestAborted.IsCancellationRequested)
        {
            stats.RecordAbort();
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
    }
}
