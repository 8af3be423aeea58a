using System.Net;
using ChatTts.Emulator.Dialects;
using ChatTts.Emulator.Hosting;
using ChatTts.Emulator.Recording;
using ChatTts.Emulator.Speech;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace ChatTts.Emulator;

/// <summary>One running emulated ChatTTS server: real Kestrel on one port, speaking one dialect.</summary>
public sealed class EmulatorInstance : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly EmulatorStats _stats;
    private readonly SpeechSynthesizer _speech;
    private readonly ServerBehaviour _behaviour;
    private int _disposed;

    private EmulatorInstance(WebApplication app, Uri baseAddress, string dialect, EmulatorFaults faults)
    {
        _app = app;
        _stats = app.Services.GetRequiredService<EmulatorStats>();
        _speech = app.Services.GetRequiredService<SpeechSynthesizer>();
        _behaviour = app.Services.GetRequiredService<ServerBehaviour>();
        BaseAddress = baseAddress;
        Dialect = dialect;
        Faults = faults;
    }

    /// <summary>The root URL, e.g. <c>http://127.0.0.1:40123/</c>.</summary>
    public Uri BaseAddress { get; }

    public int Port => BaseAddress.Port;

    public string Dialect { get; }

    /// <summary>The fault switches, settable while it runs.</summary>
    public EmulatorFaults Faults { get; }

    /// <summary>Whether its health check waits for the GPU to be free: <see cref="EmulatorOptions.HealthBlocksDuringSynthesis"/>,
    /// or the dialect's habit when that is null.</summary>
    public bool HealthBlocksDuringSynthesis => _behaviour.HealthBlocksDuringSynthesis;

    /// <summary>Whether a synthesis runs on after its client left: <see cref="EmulatorOptions.KeepsComputingAfterDisconnect"/>,
    /// or the dialect's habit when that is null.</summary>
    public bool KeepsComputingAfterDisconnect => _behaviour.KeepsComputingAfterDisconnect;

    /// <summary>Whether requests compute side by side instead of taking turns: <see cref="EmulatorOptions.RunsInParallel"/>,
    /// or the dialect's habit when that is null.</summary>
    public bool RunsInParallel => _behaviour.RunsInParallel;

    /// <summary>Which engine makes the audio: <c>espeak-ng</c> or <c>synthetic</c>.</summary>
    public string EngineName => _speech.EngineName;

    /// <summary>Synthesis requests received, whatever their outcome (rejected and invalid ones too).</summary>
    public int RequestCount => _stats.RequestCount;

    /// <summary>The most synthesis requests ever inside the synthesis endpoint at once, waiting or running.</summary>
    public int PeakInFlight => _stats.PeakInFlight;

    /// <summary>
    /// The most syntheses ever computing on the GPU at once; requests waiting for it do not count, and a synthesis
    /// that computes on after its client left (<see cref="KeepsComputingAfterDisconnect"/>) counts until it ends.
    /// Above 1 only when syntheses overlap: <see cref="RunsInParallel"/> or <see cref="EmulatorOptions.Concurrency"/>
    /// above 1. A proxy in front of a one-at-a-time GPU should keep it at 1.
    /// </summary>
    public int PeakConcurrentSyntheses => _stats.PeakConcurrentSyntheses;

    /// <summary>Syntheses whose client went away before the answer was complete (while queued for the GPU, streaming
    /// or stalled), counted as soon as the departure is seen, even when the synthesis computes on.</summary>
    public int AbortedCount => _stats.AbortedCount;

    /// <summary>
    /// The total time the emulated GPU has been held by syntheses, from taking the GPU to giving it back (after the
    /// rest of the computation when the synthesis computes on without its client), measured with
    /// <see cref="EmulatorOptions.TimeProvider"/>; overlapping syntheses count once. A synthesis under way counts up to the moment of
    /// reading, so the difference of two readings divided by the time between them is the GPU's utilisation.
    /// Thread-safe and cheap to read while requests run.
    /// </summary>
    public TimeSpan BusyTime => _stats.BusyTime;

    /// <summary>Every synthesis request received, in arrival order (a snapshot).</summary>
    public IReadOnlyList<SynthesisRecord> Requests => _stats.Requests;

    /// <summary>Starts Kestrel on the options' host and port (127.0.0.1 and a free port by default).</summary>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public static async Task<EmulatorInstance> StartAsync(EmulatorOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var dialect = OptionsValidation.Validate(options);
        var faults = new EmulatorFaults();
        var app = EmulatorHost.Build(options, dialect, ServerBehaviour.Resolve(options, dialect), faults);
        try
        {
            await app.StartAsync(cancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        var bound = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
        var address = EmulatorHost.ParseAddress(options.Host);
        address = address.Equals(IPAddress.Any) ? IPAddress.Loopback : address.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Loopback : address;
        var scheme = options.ServerCertificate is null ? Uri.UriSchemeHttp : Uri.UriSchemeHttps;
        var baseAddress = new UriBuilder(scheme, address.ToString(), bound.Port).Uri;
        return new EmulatorInstance(app, baseAddress, dialect.Name, faults);
    }

    /// <summary>Completes when the next abort is recorded, or at once for one recorded earlier and not yet awaited.</summary>
    public Task WaitForAbortAsync(CancellationToken ct) => _stats.WaitForAbortAsync(ct);

    /// <summary>The exact s16le PCM this instance produces for that request: what it sends after the WAV header
    /// (or, for webui, what the events' base64 decodes to, concatenated).</summary>
    public byte[] ProducedPcm(SynthesisRecord request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var dialect = DialectRegistry.Find(request.Dialect)
            ?? throw new ArgumentException($"Unknown dialect '{request.Dialect}'.", nameof(request));
        return (byte[])_speech.GetPcmAsync(dialect.KeyFor(request)).GetAwaiter().GetResult().Clone();
    }

    /// <summary>Stops Kestrel: syntheses under way are cut (their connections aborted) and nothing is left running.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
