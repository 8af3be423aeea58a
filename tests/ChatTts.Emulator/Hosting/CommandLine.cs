using System.Globalization;
using ChatTts.Emulator.Dialects;

namespace ChatTts.Emulator.Hosting;

/// <summary>The command line of the emulator host.</summary>
internal sealed record CommandLineSettings(
    IReadOnlyList<(string Dialect, int Port)> Instances,
    string Host,
    TimeSpan FirstChunkDelay,
    double RealTimeFactor,
    int StepSamples,
    int WriteChunkBytes,
    bool SplitWrites,
    SpeechEngine Engine,
    bool Help,
    bool? HealthBlocksDuringSynthesis = null,
    bool? KeepsComputingAfterDisconnect = null,
    bool? RunsInParallel = null,
    bool RequireContentLength = false)
{
    public EmulatorOptions ToOptions(string dialect, int port) => new()
    {
        Dialect = dialect,
        Host = Host,
        Port = port,
        FirstChunkDelay = FirstChunkDelay,
        RealTimeFactor = RealTimeFactor,
        StepSamples = StepSamples,
        WriteChunkBytes = WriteChunkBytes,
        SplitWrites = SplitWrites,
        Engine = Engine,
        HealthBlocksDuringSynthesis = HealthBlocksDuringSynthesis,
        KeepsComputingAfterDisconnect = KeepsComputingAfterDisconnect,
        RunsInParallel = RunsInParallel,
        RequireContentLength = RequireContentLength,
    };
}

internal static class CommandLine
{
    public static readonly string Usage = $"""
        Usage: dotnet run --project tests/ChatTts.Emulator -- --instance <dialect>:<port> [--instance …] [options]

          --instance <dialect>:<port>   one emulated ChatTTS server (repeatable; port 0 = any free port)
                                        dialects: {string.Join(", ", DialectRegistry.Names)}
          --host <address>              address to bind (default 127.0.0.1; '*' = every interface)
          --first-chunk-delay <time>    delay before the first audio, e.g. 300ms, 1.5s (default 300ms)
          --rtf <number>                seconds of work per second of audio; 0 = no pacing (default 0.2)
          --step-samples <n>            samples per generation step (default 12000 = 0.5 s)
          --write-chunk-bytes <n>       largest single HTTP write; 0 = one write per step (default 0)
          --split-writes                split writes at odd sizes (7 bytes first) to test reassembly
          --engine auto|espeak|synthetic   audio source (default auto: espeak-ng when on PATH)
          --health-blocks on|off        health check waits while a synthesis computes
                                        (default: the dialect's server; on for chattts-openai)
          --keeps-computing on|off      a synthesis runs on to its end, GPU held, after its client left
                                        (default: the dialect's server; on for chattts-ui, chattts-openai)
          --parallel on|off             requests compute side by side instead of taking turns
                                        (default: the dialect's server; on for chattts-ui, forge)
          --require-content-length      read chunked request bodies as empty, as http.server does
          --help                        show this text

        Example: --instance webui:9701 --instance chattts-openai:9702 --instance forge:9703 --rtf 0.2
        """;

    public static bool TryParse(string[] args, out CommandLineSettings settings, out string error)
    {
        var defaults = new EmulatorOptions();
        settings = new CommandLineSettings([], defaults.Host, defaults.FirstChunkDelay, defaults.RealTimeFactor,
            defaults.StepSamples, defaults.WriteChunkBytes, SplitWrites: false, defaults.Engine, Help: false);
        var instances = new List<(string, int)>();
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (name is "--help" or "-h" or "--split-writes" or "--require-content-length")
            {
                settings = name switch
                {
                    "--split-writes" => settings with { SplitWrites = true },
                    "--require-content-length" => settings with { RequireContentLength = true },
                    _ => settings with { Help = true },
                };
                continue;
            }

            if (!Usage.Contains(name + " ", StringComparison.Ordinal) || !name.StartsWith("--", StringComparison.Ordinal))
            {
                error = $"Unknown argument '{name}'.";
                return false;
            }

            if (i + 1 >= args.Length)
            {
                error = $"{name} needs a value.";
                return false;
            }

            var value = args[++i];
            if (name == "--instance" && TryInstance(value, out var instance))
            {
                instances.Add(instance);
                continue;
            }

            CommandLineSettings? next = name switch
            {
                "--host" when OptionsValidation.IsValidHost(value) => settings with { Host = value },
                "--first-chunk-delay" when TryDuration(value, out var delay) => settings with { FirstChunkDelay = delay },
                "--rtf" when TryNumber(value, out var rtf) => settings with { RealTimeFactor = rtf },
                "--step-samples" when TryCount(value, out var step) && step > 0 => settings with { StepSamples = step },
                "--write-chunk-bytes" when TryCount(value, out var chunk) => settings with { WriteChunkBytes = chunk },
                "--engine" when TryEngine(value, out var engine) => settings with { Engine = engine },
                "--health-blocks" when TrySwitch(value, out var blocks) => settings with { HealthBlocksDuringSynthesis = blocks },
                "--keeps-computing" when TrySwitch(value, out var keeps) => settings with { KeepsComputingAfterDisconnect = keeps },
                "--parallel" when TrySwitch(value, out var parallel) => settings with { RunsInParallel = parallel },
                _ => null,
            };
            if (next is null)
            {
                error = $"Invalid value '{value}' for {name}.";
                return false;
            }

            settings = next;
        }

        settings = settings with { Instances = instances };
        error = settings.Help || instances.Count > 0 ? string.Empty : "Give at least one --instance <dialect>:<port>.";
        return error.Length == 0;
    }

    private static bool TryInstance(string value, out (string Dialect, int Port) instance)
    {
        var colon = value.LastIndexOf(':');
        instance = colon > 0 ? (value[..colon], 0) : (value, 0);
        return colon > 0
            && DialectRegistry.Names.Contains(instance.Dialect)
            && TryCount(value[(colon + 1)..], out instance.Port)
            && instance.Port <= 65_535;
    }

    private static bool TryDuration(string value, out TimeSpan duration)
    {
        var (number, scale) = value.EndsWith("ms", StringComparison.OrdinalIgnoreCase) ? (value[..^2], 1.0)
            : value.EndsWith('s') ? (value[..^1], 1000.0)
            : (value, 1.0);
        var ok = TryNumber(number, out var amount);
        duration = ok ? TimeSpan.FromMilliseconds(amount * scale) : TimeSpan.Zero;
        return ok;
    }

    private static bool TryEngine(string value, out SpeechEngine engine) =>
        Enum.TryParse(value, ignoreCase: true, out engine) && Enum.IsDefined(engine) && !char.IsAsciiDigit(value[0]);

    private static bool TrySwitch(string value, out bool on)
    {
        on = value is "on" or "true";
        return on || value is "off" or "false";
    }

    private static bool TryNumber(string value, out double number) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out number) && double.IsFinite(number) && number >= 0;

    private static bool TryCount(string value, out int count) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out count);
}
