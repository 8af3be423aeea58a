using ChatTts.Edge.LoadTests.CommandLine;
using ChatTts.Edge.LoadTests.Environment;
using ChatTts.Edge.TestKit;
using ChatTts.Emulator;

namespace ChatTts.Edge.LoadTests.Scenarios.Utilisation;

/// <summary>The utilisation scenario's own options.</summary>
/// <param name="Replicas">Proxy processes in front of the same GPUs, clients spread over them (more than one needs
/// <c>--admission redis</c>: without shared slots each replica would send every GPU its own synthesis).</param>
internal sealed record UtilisationSettings(int Backends, int Clients, double RealTimeFactor, TimeSpan FirstChunkDelay, int ChunkMs, double MinUtilisation, double GiveUp, int Replicas)
{
    public const string Dialect = "chattts-openai";

    /// <summary>About twenty words: with the synthetic voice, some ten seconds of audio, ~2.6 s of GPU time at RTF 0.25.</summary>
    public const string Text =
        "The quick brown fox jumps over the lazy dog while a patient engineer measures how busy every emulated graphics card stays.";

    public static readonly IReadOnlyList<OptionHelp> Options =
    [
        new("--backends <n>", "emulated GPUs, one synthesis at a time each (default 3)"),
        new("--clients <n>", "concurrent closed-loop clients (default 3 per backend)"),
        new("--rtf <x>", "the emulators' real-time factor: seconds of GPU work per second of audio (default 0.25)"),
        new("--first-chunk-delay <time>", "GPU time before the first audio of each synthesis (default 200ms)"),
        new("--chunk-ms <n>", "chunk_ms of every stream (default 200)"),
        new("--min-utilisation <x>", "threshold for every backend (default 0.95)"),
        new("--give-up <x>", "share of streams whose client leaves after the second audio event, spread evenly (default 0); " +
            "the emulated GPUs keep computing after a client leaves, as openai_api.py does"),
        new("--replicas <n>", "proxy processes in front of the same GPUs, clients spread over them in turn (default 1; more need --admission redis)"),
    ];

    /// <summary>The audio events a client that gives up takes before leaving.</summary>
    public const int GiveUpAfterAudio = 2;

    public static UtilisationSettings Read(CommandLineArguments arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var backends = arguments.GetInt32("--backends", 3, 1, 64);
        return new UtilisationSettings(
            backends,
            arguments.GetInt32("--clients", 3 * backends, 1, 10_000),
            arguments.GetDouble("--rtf", 0.25, 0, 100),
            arguments.GetDuration("--first-chunk-delay", TimeSpan.FromMilliseconds(200)),
            arguments.GetInt32("--chunk-ms", 200, 1, 60_000),
            arguments.GetDouble("--min-utilisation", 0.95, 0, 1),
            arguments.GetDouble("--give-up", 0, 0, 1),
            arguments.GetInt32("--replicas", 1, 1, 16));
    }

    /// <summary>Whether request <paramref name="number"/> is one of the <see cref="GiveUp"/> share that leave mid-stream.</summary>
    public int? GiveUpAfter(long number) =>
        Math.Floor((number + 1) * GiveUp) > Math.Floor(number * GiveUp) ? GiveUpAfterAudio : null;

    /// <summary>
    /// The proxy's admission queue must hold every client that waits; the clients call without keys, so anonymous
    /// callers are let in with a plan this load never reaches (quotas are not what this scenario measures).
    /// </summary>
    public IReadOnlyDictionary<string, string> ProxyConfiguration
    {
        get
        {
            var configuration = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["Edge:Admission:MaxQueueLength"] = Clients.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Edge:Admission:MaxQueueWait"] = "00:02:00",
            };
            configuration.SetAll(QuotaSettings.UnlimitedAnonymous());
            return configuration;
        }
    }

    public EnvironmentSettings Environment() =>
        new(Backends, Dialect, SpeechEngine.Synthetic, RealTimeFactor, FirstChunkDelay, ProxyConfiguration, Replicas: Replicas);

    public Uri StreamUrl(Uri proxy) =>
        new(proxy, $"/v1/tts/stream?text={Uri.EscapeDataString(Text)}&chunk_ms={ChunkMs}");
}
