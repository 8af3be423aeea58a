using ChatTts.Edge.LoadTests.Scenarios;

namespace ChatTts.Edge.LoadTests.Scenarios.Streams;

/// <summary>The defaults that make a stream scenario what it is: its load model and the local environment it starts.</summary>
/// <param name="Clients">Closed model: concurrent clients; 0 for the open model.</param>
/// <param name="Rate">Open model: arrivals per second after the ramp.</param>
/// <param name="StartRate">Open model: arrivals per second at the start.</param>
/// <param name="Ramp">Closed model: over how long the clients start; open model: how long the rate ramps.</param>
/// <param name="MaxInFlight">Open model: arrivals beyond this many streams at once are dropped.</param>
/// <param name="Backends">Emulated GPUs started locally.</param>
/// <param name="BackendConcurrency">Syntheses each emulated backend runs at once (and the proxy's cap per destination).</param>
/// <param name="RealTimeFactor">The emulators' seconds of work per second of audio.</param>
/// <param name="FirstChunkDelay">The emulators' time to their first audio.</param>
/// <param name="ChunkMs">The <c>chunk_ms</c> of every stream.</param>
/// <param name="Text">What every stream says (a stream number is added so every request is distinct).</param>
/// <param name="HoldOpen">Streams are meant to outlast the run: at its end they are closed at once, and one still
/// receiving audio (its last event, or its request when no audio came yet, within <see cref="StallAfter"/>) counts as a
/// success, one that went quiet as hung.</param>
/// <param name="Http2">Clients speak HTTP/2 (cleartext, prior knowledge) to a second proxy endpoint, many streams per
/// connection, as browsers multiplex <c>EventSource</c> streams over HTTPS; HTTP/1.1 (one connection per stream) otherwise.</param>
internal sealed record StreamProfile(
    string Name,
    string Summary,
    RunDefaults Defaults,
    int Clients,
    double Rate,
    double StartRate,
    TimeSpan Ramp,
    int MaxInFlight,
    int Backends,
    int BackendConcurrency,
    double RealTimeFactor,
    TimeSpan FirstChunkDelay,
    int ChunkMs,
    string Text,
    bool Http2 = false,
    bool HoldOpen = false)
{
    /// <summary>A held-open stream whose last audio is older than this at the end has stalled: the proxy's default
    /// idle timeout, after which it would have ended the stream itself.</summary>
    public static readonly TimeSpan StallAfter = TimeSpan.FromSeconds(10);

    public const string ShortText = "Streaming speech should start at once and play without a gap.";

    public static readonly StreamProfile Smoke = new(
        "smoke", "CI gate (≤ 2 minutes with start-up): 16 clients on 2 emulated backends; latency, errors and valid audio",
        new RunDefaults(TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(4)),
        Clients: 16, Rate: 0, StartRate: 0, Ramp: TimeSpan.FromSeconds(1), MaxInFlight: 0,
        Backends: 2, BackendConcurrency: 8, RealTimeFactor: 0.1, FirstChunkDelay: TimeSpan.FromMilliseconds(50), ChunkMs: 200, Text: ShortText);

    public static readonly StreamProfile Steady = new(
        "steady", "closed model: 200 concurrent streams for a minute on 4 emulated backends of 50 streams each",
        new RunDefaults(TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(10)),
        Clients: 200, Rate: 0, StartRate: 0, Ramp: TimeSpan.FromSeconds(5), MaxInFlight: 0,
        Backends: 4, BackendConcurrency: 50, RealTimeFactor: 0.2, FirstChunkDelay: TimeSpan.FromMilliseconds(100), ChunkMs: 200, Text: ShortText);

    public static readonly StreamProfile Open = new(
        "open", "open model: arrivals ramp from 5/s to 40/s over 15 s and hold, whether or not earlier streams ended",
        new RunDefaults(TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(5)),
        Clients: 0, Rate: 40, StartRate: 5, Ramp: TimeSpan.FromSeconds(15), MaxInFlight: 2000,
        Backends: 4, BackendConcurrency: 50, RealTimeFactor: 0.2, FirstChunkDelay: TimeSpan.FromMilliseconds(100), ChunkMs: 200, Text: ShortText);

    /// <summary>Ten thousand streams held open: slow GPUs (a 0.5 s chunk every 7.5 s, within the proxy's 10 s idle timeout), so the streams stay open and the
    /// proxy's cost per open stream (memory, sockets, keepalives) is what is measured. The clients use HTTP/2: over
    /// HTTP/1.1 the proxy would hold 20,000 sockets (one in, one out per stream), the whole open-file limit of this
    /// machine's processes (20,000, which a container's root cannot raise), so no HTTP/1.1 run of 10,000 can succeed
    /// here; browsers reach a deployment over HTTPS, where their EventSource streams share HTTP/2 connections anyway.</summary>
    public static readonly StreamProfile Capacity = new(
        "capacity", "10,000 concurrent open streams through one proxy process: zero errors, resident memory",
        new RunDefaults(TimeSpan.FromSeconds(120), TimeSpan.FromSeconds(70)),
        Clients: 10_000, Rate: 0, StartRate: 0, Ramp: TimeSpan.FromSeconds(60), MaxInFlight: 0,
        Backends: 2, BackendConcurrency: 5_000, RealTimeFactor: 15, FirstChunkDelay: TimeSpan.FromMilliseconds(200), ChunkMs: 500,
        Text: "Ten thousand listeners keep their streams open while the proxy counts its memory.", Http2: true, HoldOpen: true);

    public bool IsOpenModel => Clients == 0;
}
