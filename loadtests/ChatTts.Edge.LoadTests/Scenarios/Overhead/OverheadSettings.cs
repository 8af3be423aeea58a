using System.Globalization;
using ChatTts.Edge.LoadTests.CommandLine;
using ChatTts.Edge.LoadTests.Environment;
using ChatTts.Edge.LoadTests.Scenarios.Streams;
using ChatTts.Emulator;

namespace ChatTts.Edge.LoadTests.Scenarios.Overhead;

/// <summary>The overhead scenario's options, and what follows from them: the one emulated backend, the edge's
/// <c>chunk_ms</c>, the schedule of the rounds.</summary>
/// <param name="Clients">Concurrent closed-loop clients on every path.</param>
/// <param name="Rounds">How many times the three paths take turns; each path's duration and warm-up are split evenly over them.</param>
/// <param name="RealTimeFactor">The emulator's seconds of work per second of audio after its first step.</param>
/// <param name="FirstChunkDelay">The emulator's time to its first audio step.</param>
/// <param name="HeyRequests">Requests of the hey cross-check (at <paramref name="Clients"/> at once).</param>
/// <param name="ProxyCpus">The CPUs the edge and nginx run on (a taskset list), or null for any.</param>
internal sealed record OverheadSettings(
    int Clients, int Rounds, double RealTimeFactor, TimeSpan FirstChunkDelay, int HeyRequests, IReadOnlyList<string> Thresholds, string? ProxyCpus = null)
{
    /// <summary>The scenario's name on the command line and in <c>appsettings/loadtests.json</c>.</summary>
    public const string Name = "overhead";

    /// <summary>The emulated backend's dialect: the one whose raw stream nginx can pass on as it is.</summary>
    public const string Dialect = StreamSettings.Dialect;

    /// <summary>The voice of the raw requests: what the edge asks a <c>chattts-openai</c> backend for when the client
    /// names none (the server knows only <c>default</c>, <c>alloy</c> and <c>echo</c>).</summary>
    public const string Voice = "default";

    public static readonly RunDefaults Defaults = new(TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(5));

    public static readonly IReadOnlyList<OptionHelp> Options =
    [
        new("--clients <n>", "concurrent streams on every path (default 200)"),
        new("--rounds <n>", "times the three paths take turns, forward then backward; --duration and --warmup are per path, split over the rounds (default 2)"),
        new("--rtf <x>", "the emulated backend's seconds of work per second of audio (default 0.1)"),
        new("--first-chunk-delay <time>", "the emulated backend's time to its first audio (default 50ms)"),
        new("--hey-requests <n>", "requests of the hey cross-check through the edge (default 4 × clients)"),
        new("--threshold <m>=<limit>", "overrides or adds a threshold, e.g. edge.added_ttfa.p99=5ms (repeatable)"),
        new("--proxy-cpus <list>", "run the edge and nginx on these CPUs (taskset list, e.g. 1); start the runner with `taskset -c 0` to keep it off them"),
    ];

    /// <summary>Samples per emulator step (ChatTTS yields at most 12 000 = 0.5 s at a time).</summary>
    public static int StepSamples { get; } = new EmulatorOptions().StepSamples;

    /// <summary>The edge's <c>chunk_ms</c>: one emulator step, so the edge's first audio event needs the backend's first
    /// step and nothing more, and goes out as soon as that step has arrived.</summary>
    public static int ChunkMs => StepSamples * 1000 / SampleRate;

    /// <summary>PCM bytes of one step: what the edge's first audio event carries.</summary>
    public static int StepBytes => StepSamples * 2;

    /// <summary>The local environment: <see cref="StreamSettings.Environment"/> of <see cref="Stream"/>, the emulated
    /// backend running at least <see cref="DistinctTexts"/> syntheses at once so its cache fills in one go whatever
    /// the clients (the proxy's cap stays at the clients).</summary>
    public EnvironmentSettings Environment() =>
        Stream.Environment() with { EmulatorConcurrency = Math.Max(Clients, DistinctTexts), ProxyCpus = ProxyCpus };

    /// <summary>Different texts the requests cycle through (request <c>n</c> says text number <c>n</c> mod this): the
    /// emulated backend synthesises each once and serves it from its cache afterwards (it keeps 512), so its own CPU
    /// does not crowd out the paths being measured on the shared machine.</summary>
    public const int DistinctTexts = 100;

    private const int SampleRate = 24_000;

    public static OverheadSettings Read(CommandLineArguments arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var clients = arguments.GetInt32("--clients", 200, 1, 20_000);
        return new OverheadSettings(
            clients,
            arguments.GetInt32("--rounds", 2, 1, 20),
            arguments.GetDouble("--rtf", 0.1, 0, 100),
            arguments.GetDuration("--first-chunk-delay", TimeSpan.FromMilliseconds(50)),
            arguments.GetInt32("--hey-requests", 4 * clients, clients, 1_000_000),
            arguments.GetAll("--threshold"),
            arguments.GetOptionalString("--proxy-cpus") is { } cpus
                ? cpus.Length > 0 && cpus.All(c => char.IsAsciiDigit(c) || c is ',' or '-') ? cpus
                    : throw new UsageException($"--proxy-cpus takes a CPU list such as 1 or 0,1 or 2-3, not '{cpus}'.")
                : null);
    }

    /// <summary>As the stream scenarios see this one: its environment (<see cref="StreamSettings.Environment"/>: one
    /// backend that runs every client's synthesis at once and a proxy capped at as many, an admission queue and an
    /// anonymous plan that hold the whole load, warnings-only logging), its request texts and the edge's URLs.</summary>
    public StreamSettings Stream => new(
        new StreamProfile(Name, "", Defaults, Clients, Rate: 0, StartRate: 0, Ramp: TimeSpan.Zero, MaxInFlight: 0,
            Backends: 1, BackendConcurrency: Clients, RealTimeFactor, FirstChunkDelay, ChunkMs, StreamProfile.ShortText),
        Target: null, ApiKey: null, Thresholds);

    /// <summary>The number of request <paramref name="request"/>'s text (<see cref="StreamSettings.TextOf"/>).</summary>
    public static long TextNumber(long request) => request % DistinctTexts;

    /// <summary>The clients' first streams are spread over this much of each turn's warm-up.</summary>
    public static TimeSpan Ramp(TimeSpan warmup) => TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(1).Ticks, warmup.Ticks / 2));

    /// <summary>One turn of one path: its share of the per-path duration and warm-up.</summary>
    public RunSettings Turn(RunSettings run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return run with { Duration = run.Duration / Rounds, Warmup = run.Warmup / Rounds };
    }

    /// <summary>
    /// How long each path is loaded, unmeasured, in one priming round before the first measured one: twice a turn's warm-up,
    /// whose second half tells whether the JIT is still busy. The emulated backend, the clients, the edge and nginx all
    /// start cold (JIT, connection pools), and the shared backend would otherwise be warmed by whichever path comes first,
    /// at that path's cost.
    /// </summary>
    public TimeSpan Priming(RunSettings run) => Turn(run).Warmup * 2;

    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{Clients} clients per path, {Rounds} round{(Rounds == 1 ? "" : "s")}");
}
