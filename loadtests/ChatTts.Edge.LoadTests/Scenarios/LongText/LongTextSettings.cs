using System.Globalization;
using System.Text;
using ChatTts.Edge.LoadTests.CommandLine;
using ChatTts.Edge.LoadTests.Environment;
using ChatTts.Emulator;

namespace ChatTts.Edge.LoadTests.Scenarios.LongText;

/// <summary>The long-text scenario's options, its texts and the emulated GPUs' pace.</summary>
/// <param name="Lengths">Text lengths measured, in Unicode characters.</param>
/// <param name="Gpus">Fleet sizes measured: one environment (emulators and proxy) each.</param>
/// <param name="Runs">Streams per condition (length × fleet × split); medians and spreads are over these.</param>
/// <param name="FirstAudio">Each emulated GPU's delay before its first audio.</param>
/// <param name="RealTimeFactor">Each emulated GPU's synthesis time per second of audio after the first.</param>
internal sealed record LongTextSettings(
    IReadOnlyList<int> Lengths, IReadOnlyList<int> Gpus, int Runs, TimeSpan FirstAudio, double RealTimeFactor, int ChunkMs, IReadOnlyList<string> Thresholds)
{
    public const string Dialect = "webui";

    /// <summary>The reference: one sentence, which is never split.</summary>
    public const string OneSentence = "One sentence is spoken by one GPU whatever the settings.";

    public static readonly RunDefaults Defaults = new(TimeSpan.FromSeconds(1), TimeSpan.Zero);

    public static readonly IReadOnlyList<OptionHelp> Options =
    [
        new("--threshold <m>=<limit>", "overrides or adds a threshold, e.g. total_ratio.max=0.3 (repeatable)"),
        new("--lengths <n,n,…>", "text lengths in characters, mixed English and Chinese (default 250,1000,2000)"),
        new("--gpus <n,n,…>", "fleet sizes, each its own emulators and proxy (default 1,4)"),
        new("--runs <n>", "streams per length, fleet and split setting, one at a time (default 3)"),
        new("--first-audio <time>", "each emulated GPU's first-audio delay (default 1.5s)"),
        new("--rtf <x>", "each emulated GPU's real-time factor (default 0.3)"),
        new("--chunk-ms <n>", "chunk_ms of every stream (default 200)"),
    ];

    public static LongTextSettings Read(CommandLineArguments arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        return new LongTextSettings(
            List(arguments, "--lengths", "250,1000,2000", 1, 100_000),
            List(arguments, "--gpus", "1,4", 1, 64),
            arguments.GetInt32("--runs", 3, 1, 100),
            arguments.GetDuration("--first-audio", TimeSpan.FromSeconds(1.5)),
            arguments.GetDouble("--rtf", 0.3, 0, 10),
            arguments.GetInt32("--chunk-ms", 200, 20, 2000),
            arguments.GetAll("--threshold"));
    }

    /// <summary><paramref name="gpus"/> emulated GPUs at the scenario's pace, one synthesis at a time each, as ChatTTS.</summary>
    public EnvironmentSettings Environment(int gpus, int longest) => new(gpus, Dialect, SpeechEngine.Synthetic, RealTimeFactor, FirstAudio,
        new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Edge:Quotas:AllowAnonymous"] = "true",
            ["Edge:Streaming:MaxTextCharacters"] = Math.Max(longest, 2000).ToString(CultureInfo.InvariantCulture),
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Information",
        });

    public Uri StreamUrl(Uri proxy, string text, bool split) =>
        new(proxy, string.Create(CultureInfo.InvariantCulture, $"/v1/tts/stream?chunk_ms={ChunkMs}&split={(split ? "true" : "false")}&text={Uri.EscapeDataString(text)}"));

    /// <summary>A text of exactly <paramref name="characters"/> characters: English and Chinese sentences in turn.</summary>
    public static string Text(int characters)
    {
        var text = new StringBuilder();
        for (var i = 0; text.Length < characters; i++)
        {
            text.Append(i % 2 == 0
                ? string.Create(CultureInfo.InvariantCulture, $"Sentence {i} tells the listener about the weather in town number {i * 7}. ")
                : string.Create(CultureInfo.InvariantCulture, $"第{i}句话说今天的天气很好，我们去公园散步吧。"));
        }

        var head = text.ToString(0, characters - 1).TrimEnd();
        return head + new string('.', characters - head.Length);
    }

    private static int[] List(CommandLineArguments arguments, string name, string fallback, int min, int max)
    {
        var raw = arguments.GetString(name, fallback);
        var values = raw.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var parsed = new int[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            if (!int.TryParse(values[i], NumberStyles.None, CultureInfo.InvariantCulture, out parsed[i]) || parsed[i] < min || parsed[i] > max)
            {
                throw new UsageException($"{name} takes whole numbers from {min} to {max}, comma-separated; got '{raw}'.");
            }
        }

        return values.Length == 0 ? throw new UsageException($"{name} needs at least one value.") : parsed;
    }
}
