using System.Globalization;
using ChatTts.Edge.LoadTests.CommandLine;
using ChatTts.Edge.LoadTests.Environment;
using ChatTts.Edge.TestKit;
using ChatTts.Emulator;

namespace ChatTts.Edge.LoadTests.Scenarios.Tls;

/// <summary>The TLS scenario's own options, and the proxy's configuration: a plain and an mTLS endpoint.</summary>
internal sealed record TlsSettings(int Backends, int Streams, int WarmupStreams, int ChunkMs)
{
    public const string Dialect = "chattts-openai";

    /// <summary>The common name of the clients' certificate: the proxy knows them as caller <c>cert:loadtest</c>.</summary>
    public const string ClientName = "loadtest";

    /// <summary>Short, so that a stream is mostly the proxy's own work: about a second of audio, made at once (RTF 0).</summary>
    public const string Text = "Hello world.";

    /// <summary>Per destination, far above one client, so admission never queues.</summary>
    public const int MaxConcurrency = 64;

    /// <summary>The two plans' bursts differ only so that a response's <c>RateLimit-Limit</c> names the plan it was charged to.</summary>
    public const int AnonymousBurst = QuotaSettings.UnlimitedBurst;
    public const int CertificateBurst = 2 * QuotaSettings.UnlimitedBurst;

    public const string PlainEndpoint = "Plain";
    public const string MtlsEndpoint = "Mtls";

    public static readonly IReadOnlyList<OptionHelp> Options =
    [
        new("--streams <n>", "measured streams per mode, one at a time (default 500)"),
        new("--warmup-streams <n>", "unmeasured streams per mode first (default 50)"),
        new("--backends <n>", "emulated GPUs, answering as fast as they can (default 2)"),
        new("--chunk-ms <n>", "chunk_ms of every stream (default 200)"),
        new("--duration, --warmup", "do not apply, nor --drain-timeout: this scenario counts streams"),
    ];

    private static readonly string[] TimedOptions = ["--duration", "--warmup", "--drain-timeout"];

    /// <exception cref="UsageException">An option is out of range, or a timed option was given.</exception>
    public static TlsSettings Read(CommandLineArguments arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        if (arguments.Raw.FirstOrDefault(a => TimedOptions.Any(o => a == o || a.StartsWith(o + "=", StringComparison.Ordinal))) is { } timed)
        {
            throw new UsageException($"{timed.Split('=')[0]} does not apply to scenario 'tls', which counts streams: use --streams and --warmup-streams.");
        }

        return new TlsSettings(
            arguments.GetInt32("--backends", 2, 1, 64),
            arguments.GetInt32("--streams", 500, 1, 1_000_000),
            arguments.GetInt32("--warmup-streams", 50, 0, 1_000_000),
            arguments.GetInt32("--chunk-ms", 200, 1, 60_000));
    }

    public EnvironmentSettings Environment(ThrowawayPki pki) =>
        new(Backends, Dialect, SpeechEngine.Synthetic, 0, TimeSpan.Zero, ProxyConfiguration(pki), MaxConcurrency);

    /// <summary>
    /// Two Kestrel endpoints on port 0 (Kestrel binds a free port and reports it), the mTLS one with the throw-away
    /// server certificate, requiring a client certificate of the throw-away CA. Anonymous callers (the plain endpoint)
    /// and certificate holders get plans far above this load, so every quota check runs and none refuses.
    /// </summary>
    public static IReadOnlyDictionary<string, string> ProxyConfiguration(ThrowawayPki pki)
    {
        ArgumentNullException.ThrowIfNull(pki);
        var configuration = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [$"Kestrel:Endpoints:{PlainEndpoint}:Url"] = "http://127.0.0.1:0",
            [$"Kestrel:Endpoints:{MtlsEndpoint}:Url"] = "https://127.0.0.1:0",
            [$"Kestrel:Endpoints:{MtlsEndpoint}:Certificate:Path"] = pki.Server.Path,
            [$"Kestrel:Endpoints:{MtlsEndpoint}:Certificate:KeyPath"] = pki.Server.KeyPath,
            [$"Kestrel:Endpoints:{MtlsEndpoint}:ClientCertificateMode"] = "RequireCertificate",
            ["Edge:ClientCertificates:TrustedCaPath"] = pki.CaPath,
            ["Edge:Quotas:AllowAnonymous"] = "true",
        };
        configuration.SetAll(QuotaSettings.UnlimitedPlan("anonymous", AnonymousBurst));
        configuration.SetAll(QuotaSettings.UnlimitedPlan("certificate", CertificateBurst));

        return configuration;
    }

    /// <summary>
    /// The stream URL on <paramref name="endpoint"/>, by the name <c>localhost</c>: .NET on Linux resumes TLS sessions
    /// only for a host name (its session cache is keyed by it), never for an IP address. The clients' connect callback
    /// still dials 127.0.0.1, so no name is looked up and ::1 is never tried.
    /// </summary>
    public Uri StreamUrl(Uri endpoint) => new UriBuilder(endpoint)
    {
        Host = ThrowawayPki.ServerName,
        Path = "/v1/tts/stream",
        Query = string.Create(CultureInfo.InvariantCulture, $"text={Uri.EscapeDataString(Text)}&chunk_ms={ChunkMs}"),
    }.Uri;
}
