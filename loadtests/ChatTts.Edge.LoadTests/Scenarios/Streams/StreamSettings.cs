using System.Globalization;
using ChatTts.Edge.LoadTests.CommandLine;
using ChatTts.Edge.LoadTests.Environment;
using ChatTts.Edge.LoadTests.Load;
using ChatTts.Edge.TestKit;
using ChatTts.Emulator;

namespace ChatTts.Edge.LoadTests.Scenarios.Streams;

/// <summary>A stream scenario's settings: its profile's defaults, overridden from the command line.</summary>
internal sealed record StreamSettings(StreamProfile Profile, Uri? Target, string? ApiKey, IReadOnlyList<string> Thresholds)
{
    public const string Dialect = "chattts-openai";

    public static readonly IReadOnlyList<OptionHelp> Options =
    [
        new("--target <url>", "load a running deployment at this base URL instead of starting one (e.g. https://tts.example.com)"),
        new("--api-key <key>", "sent as Authorization: Bearer with every request (for --target)"),
        new("--threshold <m>=<limit>", "overrides or adds a threshold, e.g. ttfa.p99=250ms, error_rate=0 (repeatable)"),
        new("--clients <n>", "closed model: concurrent clients"),
        new("--rate <n>", "open model: arrivals per second after the ramp"),
        new("--start-rate <n>", "open model: arrivals per second at the start"),
        new("--ramp <time>", "closed: over how long clients start; open: how long the rate ramps"),
        new("--max-in-flight <n>", "open model: arrivals beyond this many streams at once are dropped"),
        new("--backends <n>", "emulated backends started locally"),
        new("--backend-concurrency <n>", "streams each emulated backend serves at once (and the proxy's cap for it)"),
        new("--rtf <x>", "the emulators' seconds of work per second of audio"),
        new("--first-chunk-delay <time>", "the emulators' time to first audio"),
        new("--chunk-ms <n>", "chunk_ms of every stream"),
        new("--text <text>", "what every stream says"),
        new("--http2 <true|false>", "clients speak HTTP/2 to the proxy (cleartext; a second local endpoint) instead of HTTP/1.1"),
    ];

    public static StreamSettings Read(CommandLineArguments arguments, StreamProfile profile)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(profile);
        var target = arguments.GetOptionalString("--target") is { } text
            ? Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
                ? uri : throw new UsageException($"--target takes an http:// or https:// base URL, not '{text}'.")
            : null;
        var open = profile.IsOpenModel || arguments.GetOptionalString("--rate") is not null;
        var tuned = profile with
        {
            Clients = open ? 0 : arguments.GetInt32("--clients", profile.Clients, 1, 100_000),
            Rate = arguments.GetDouble("--rate", open ? profile.Rate : 0, 0.001, 100_000),
            StartRate = arguments.GetDouble("--start-rate", profile.StartRate, 0, 100_000),
            Ramp = arguments.GetDuration("--ramp", profile.Ramp),
            MaxInFlight = arguments.GetInt32("--max-in-flight", profile.MaxInFlight > 0 ? profile.MaxInFlight : 10_000, 1, 100_000),
            Backends = arguments.GetInt32("--backends", profile.Backends, 1, 64),
            BackendConcurrency = arguments.GetInt32("--backend-concurrency", profile.BackendConcurrency, 1, 100_000),
            RealTimeFactor = arguments.GetDouble("--rtf", profile.RealTimeFactor, 0, 1000),
            FirstChunkDelay = arguments.GetDuration("--first-chunk-delay", profile.FirstChunkDelay),
            ChunkMs = arguments.GetInt32("--chunk-ms", profile.ChunkMs, 20, 60_000),
            Text = arguments.GetString("--text", profile.Text),
            Http2 = arguments.GetString("--http2", profile.Http2 ? "true" : "false") switch
            {
                "true" => true,
                "false" => false,
                var other => throw new UsageException($"--http2 takes true or false, not '{other}'."),
            },
        };

        if (open && tuned.Clients == 0 && tuned.Rate <= 0)
        {
            throw new UsageException("--rate must be more than 0.");
        }

        return new StreamSettings(tuned, target, arguments.GetOptionalString("--api-key"), arguments.GetAll("--threshold"));
    }

    /// <summary>Streams at once at most: the clients, or the open model's cap.</summary>
    public int MostStreams => Profile.IsOpenModel ? Profile.MaxInFlight : Profile.Clients;

    /// <summary>Request <paramref name="number"/>'s URL: the text with its number, so every request is distinct and can
    /// be found in a backend's records.</summary>
    public Uri StreamUrl(Uri proxy, long number) =>
        new(proxy, $"/v1/tts/stream?text={Uri.EscapeDataString(TextOf(number))}&chunk_ms={Profile.ChunkMs.ToString(CultureInfo.InvariantCulture)}");

    /// <remarks>Held-open streams all say the same: the emulator then makes its audio once, and the machine's two cores go
    /// to the proxy rather than to ten thousand syntheses.</remarks>
    public string TextOf(long number) =>
        Profile.HoldOpen ? Profile.Text : string.Create(CultureInfo.InvariantCulture, $"{Profile.Text} Stream {number}.");

    public IReadOnlyDictionary<string, string> Headers =>
        ApiKey is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["Authorization"] = "Bearer " + ApiKey };

    /// <summary>The local environment: the emulators, and a proxy whose queue and anonymous plan hold the whole load
    /// (quotas are not what these scenarios measure; the burst scenario does).</summary>
    public EnvironmentSettings Environment(IReadOnlyDictionary<string, string>? extra = null)
    {
        var most = MostStreams.ToString(CultureInfo.InvariantCulture);
        var configuration = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Edge:Admission:MaxQueueLength"] = most,
            ["Edge:Admission:MaxQueueWait"] = "00:02:00",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Information", // "Now listening on" and "Application started" tell the run it is ready
        };
        configuration.SetAll(QuotaSettings.UnlimitedAnonymous());

        if (Profile.HoldOpen)
        {
            // The emulated GPUs share this machine's two cores with ten thousand streams: their health answers may
            // take seconds, which is load, not a dead GPU.
            configuration["ReverseProxy:Clusters:chattts:HealthCheck:Active:Timeout"] = "00:00:30";
        }

        if (Profile.Http2)
        {
            // Two endpoints: HTTP/1.1 as usual, and cleartext HTTP/2 for the clients (many streams per connection).
            configuration["Kestrel:Endpoints:Http1:Url"] = "http://127.0.0.1:0";
            configuration["Kestrel:Endpoints:Http2:Url"] = "http://127.0.0.1:0";
            configuration["Kestrel:Endpoints:Http2:Protocols"] = "Http2";
            configuration["Kestrel:Limits:Http2:MaxStreamsPerConnection"] = "1000";
        }

        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            configuration[key] = value;
        }

        return new EnvironmentSettings(Profile.Backends, Dialect, SpeechEngine.Synthetic, Profile.RealTimeFactor, Profile.FirstChunkDelay,
            configuration, MaxConcurrency: Profile.BackendConcurrency, EmulatorConcurrency: Profile.BackendConcurrency);
    }
}
