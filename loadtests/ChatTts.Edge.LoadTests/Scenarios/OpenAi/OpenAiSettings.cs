using ChatTts.Edge.LoadTests.CommandLine;
using ChatTts.Edge.LoadTests.Environment;
using ChatTts.Edge.TestKit;
using ChatTts.Emulator;

namespace ChatTts.Edge.LoadTests.Scenarios.OpenAi;

/// <summary>The three ways to ask for the same speech that the scenario compares.</summary>
internal enum SpeechRoute
{
    /// <summary><c>GET /v1/tts/stream</c>: the edge's own SSE; first audio = the first <c>audio</c> event.</summary>
    TtsStream,

    /// <summary><c>POST /v1/audio/speech</c> with <c>stream_format: "audio"</c>, <c>response_format: "pcm"</c>: first audio = the first body bytes.</summary>
    OpenAiAudio,

    /// <summary><c>POST /v1/audio/speech</c> with <c>stream_format: "sse"</c>: first audio = the first <c>speech.audio.delta</c>.</summary>
    OpenAiSse,
}

internal static class SpeechRoutes
{
    public static readonly IReadOnlyList<SpeechRoute> All = [SpeechRoute.TtsStream, SpeechRoute.OpenAiAudio, SpeechRoute.OpenAiSse];

    public static string Name(this SpeechRoute route) => route switch
    {
        SpeechRoute.TtsStream => "tts-stream",
        SpeechRoute.OpenAiAudio => "openai-audio",
        _ => "openai-sse",
    };
}

/// <summary>The OpenAI scenario's own options.</summary>
internal sealed record OpenAiSettings(int Backends, int Streams, int WarmupStreams, TimeSpan FirstChunkDelay)
{
    public const string Dialect = "chattts-openai";

    /// <summary>Short, so that a stream is mostly the proxy's own work: about a second of audio.</summary>
    public const string Text = "Hello world.";

    /// <summary>Per destination, far above one client, so admission never queues.</summary>
    public const int MaxConcurrency = 64;

    public static readonly IReadOnlyList<OptionHelp> Options =
    [
        new("--streams <n>", "measured streams per route, one at a time (default 300)"),
        new("--warmup-streams <n>", "unmeasured streams per route first (default 30)"),
        new("--backends <n>", "emulated GPUs (default 2)"),
        new("--first-chunk-delay <time>", "the GPUs' delay before their first audio, e.g. 300ms (default 0: only the proxy's own time)"),
        new("--duration, --warmup", "do not apply, nor --drain-timeout: this scenario counts streams"),
    ];

    private static readonly string[] TimedOptions = ["--duration", "--warmup", "--drain-timeout"];

    /// <exception cref="UsageException">An option is out of range, or a timed option was given.</exception>
    public static OpenAiSettings Read(CommandLineArguments arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        if (arguments.Raw.FirstOrDefault(a => TimedOptions.Any(o => a == o || a.StartsWith(o + "=", StringComparison.Ordinal))) is { } timed)
        {
            throw new UsageException($"{timed.Split('=')[0]} does not apply to scenario 'openai', which counts streams: use --streams and --warmup-streams.");
        }

        return new OpenAiSettings(
            arguments.GetInt32("--backends", 2, 1, 64),
            arguments.GetInt32("--streams", 300, 1, 1_000_000),
            arguments.GetInt32("--warmup-streams", 30, 0, 1_000_000),
            arguments.GetDuration("--first-chunk-delay", TimeSpan.Zero));
    }

    /// <summary>Anonymous callers on a plan far above this load, so every quota check runs and none refuses.</summary>
    public EnvironmentSettings Environment()
    {
        var configuration = new Dictionary<string, string>(StringComparer.Ordinal) { ["Edge:Quotas:AllowAnonymous"] = "true" };
        configuration.SetAll(QuotaSettings.UnlimitedPlan("anonymous"));
        return new(Backends, Dialect, SpeechEngine.Synthetic, 0, FirstChunkDelay, configuration, MaxConcurrency);
    }
}
