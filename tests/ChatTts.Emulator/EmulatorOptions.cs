using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace ChatTts.Emulator;

/// <summary>How one emulated ChatTTS server behaves. Read when the instance starts and, for the
/// pacing and write-shaping values, again for every request.</summary>
public sealed class EmulatorOptions
{
    /// <summary>The wire dialect: <c>webui</c>, <c>chattts-openai</c>, <c>forge</c> or <c>chattts-ui</c>.</summary>
    public string Dialect { get; set; } = "webui";

    /// <summary>The address to bind: an IP literal or <c>localhost</c>. Loopback by default.</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>The TCP port; 0 picks a free one.</summary>
    public int Port { get; set; }

    /// <summary>Time between getting the GPU and the first audio step (model warm-up, dropped steps).</summary>
    public TimeSpan FirstChunkDelay { get; set; } = TimeSpan.FromMilliseconds(300);

    /// <summary>Seconds of work per second of audio for every later step; 0 = as fast as possible.</summary>
    public double RealTimeFactor { get; set; } = 0.2;

    /// <summary>Syntheses it runs at once; the others wait their turn. A ChatTTS process runs one (the default); more
    /// stand for a server that batches, or for a stand-in backend in load tests that measure the proxy rather than the
    /// GPUs. Such an instance is no longer one real server, so the dialect's habits below default to off for it.
    /// Not used when <see cref="RunsInParallel"/> resolves to true: then nothing waits.</summary>
    public int Concurrency { get; set; } = 1;

    /// <summary>
    /// <c>GET</c> of the health path is not answered while a synthesis computes; it answers once the GPU is free (it
    /// waits its turn behind the syntheses queued before it, as requests do on a blocked event loop). 2noise's
    /// <c>openai_api.py</c> runs the model on its event loop, so a 30 s synthesis means a 30 s health check.
    /// Null (the default) takes the dialect's habit: on for <c>chattts-openai</c>, off for the others, and off for
    /// every dialect when <see cref="Concurrency"/> is above 1.
    /// </summary>
    public bool? HealthBlocksDuringSynthesis { get; set; }

    /// <summary>
    /// When the client goes away, the synthesis runs on to its end with the GPU held (its slot taken,
    /// <see cref="EmulatorInstance.BusyTime"/> growing), only the answer is dropped. ChatTTS-ui builds the whole WAV
    /// before answering and 2noise's <c>openai_api.py</c> does not notice the disconnect while its generator runs;
    /// Speech-AI-Forge stops at once. The abort is counted (<see cref="EmulatorInstance.AbortedCount"/>) as soon as
    /// the departure is seen. Null (the default) takes the dialect's habit: on for <c>chattts-ui</c> and
    /// <c>chattts-openai</c>, off for <c>forge</c> and <c>webui</c>, and off for every dialect when
    /// <see cref="Concurrency"/> is above 1.
    /// </summary>
    public bool? KeepsComputingAfterDisconnect { get; set; }

    /// <summary>
    /// Requests do not queue for the GPU: each starts computing at once beside those already running, and all of
    /// them slow down by the number running (one GPU shared), as ChatTTS-ui (waitress threads) and Speech-AI-Forge do;
    /// <see cref="EmulatorInstance.PeakConcurrentSyntheses"/> shows any overlap. Off, syntheses take turns on
    /// <see cref="Concurrency"/> slots, as 2noise's <c>openai_api.py</c> does. Null (the default) takes the dialect's
    /// habit: on for <c>chattts-ui</c> and <c>forge</c>, off for <c>webui</c> and <c>chattts-openai</c>, and off for
    /// every dialect when <see cref="Concurrency"/> is above 1.
    /// </summary>
    public bool? RunsInParallel { get; set; }

    /// <summary>
    /// Read a request body only when it comes with <c>Content-Length</c>, as Python's <c>http.server</c> and older
    /// WSGI stacks do: a chunked body reads as empty, so the request fails with the dialect's missing-field answer.
    /// Off by default. Either way each request's framing is recorded (<see cref="SynthesisRecord.ContentLength"/>).
    /// </summary>
    public bool RequireContentLength { get; set; }

    /// <summary>Samples per generation step (ChatTTS yields at most 12 000 = 0.5 s).</summary>
    public int StepSamples { get; set; } = 12_000;

    /// <summary>Largest single HTTP write; 0 = one write per step.</summary>
    public int WriteChunkBytes { get; set; }

    /// <summary>Split writes at odd sizes (the first is 7 bytes) so chunk boundaries fall inside
    /// the WAV header and inside samples.</summary>
    public bool SplitWrites { get; set; }

    /// <summary>Where the audio comes from.</summary>
    public SpeechEngine Engine { get; set; } = SpeechEngine.Auto;

    /// <summary>Serve HTTPS with this certificate (which carries its private key); plain HTTP when null.</summary>
    public X509Certificate2? ServerCertificate { get; set; }

    /// <summary>
    /// With <see cref="ServerCertificate"/>: clients must present a certificate issued by this CA (mutual TLS), as a
    /// GPU server that accepts only the proxy does. Any client certificate is refused in the handshake otherwise.
    /// </summary>
    public X509Certificate2? ClientCertificateAuthority { get; set; }

    /// <summary>The clock for every delay the emulator makes.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Logging set-up for the host (the command line adds the console); none by default.</summary>
    internal Action<ILoggingBuilder>? ConfigureLogging { get; set; }
}

/// <summary>The source of the emulator's audio.</summary>
public enum SpeechEngine
{
    /// <summary><c>espeak-ng</c> when it is on PATH, otherwise the synthetic voice.</summary>
    Auto,

    /// <summary><c>espeak-ng</c>; starting fails when it is not on PATH.</summary>
    Espeak,

    /// <summary>A deterministic synthetic voice computed in-process.</summary>
    Synthetic,
}
