using System.Globalization;

namespace ChatTts.Edge.LoadTests.CommandLine;

/// <summary>
/// <c>&lt;scenario&gt; [--name value | --name=value]…</c>. The typed getters read an option and mark it as known;
/// <see cref="ThrowIfUnread"/> then rejects every option nobody asked for, so a misspelt option fails the run
/// at once instead of silently leaving a default in place.
/// </summary>
internal sealed class CommandLineArguments
{
    /// <summary>Options that may be given more than once.</summary>
    private static readonly HashSet<string> Repeatable = new(StringComparer.Ordinal) { "--threshold", "--proxy-setting" };

    private readonly Dictionary<string, string> _options;
    private readonly Dictionary<string, List<string>> _repeated;
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    private CommandLineArguments(string? scenario, bool helpRequested, Dictionary<string, string> options, Dictionary<string, List<string>> repeated, IReadOnlyList<string> raw)
    {
        _repeated = repeated;
        Scenario = scenario;
        HelpRequested = helpRequested;
        _options = options;
        Raw = raw;
    }

    /// <summary>The scenario's name; null only when help was asked for.</summary>
    public string? Scenario { get; }

    public bool HelpRequested { get; }

    /// <summary>The arguments as given, for the report's command line.</summary>
    public IReadOnlyList<string> Raw { get; }

    /// <exception cref="UsageException">The arguments do not have that shape.</exception>
    public static CommandLineArguments Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        string? scenario = null;
        var help = false;
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        var repeated = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "-h" or "--help" or "-?")
            {
                help = true;
            }
            else if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                scenario = scenario is null ? arg : throw new UsageException($"Unexpected argument '{arg}'.");
            }
            else
            {
                var equals = arg.IndexOf('=', StringComparison.Ordinal);
                var (name, value) = equals > 2 ? (arg[..equals], arg[(equals + 1)..])
                    : i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? (arg, args[++i])
                    : throw new UsageException($"{arg} needs a value.");
                if (Repeatable.Contains(name))
                {
                    (repeated.TryGetValue(name, out var values) ? values : repeated[name] = []).Add(value);
                }
                else if (!options.TryAdd(name, value))
                {
                    throw new UsageException($"{name} is given more than once.");
                }
            }
        }

        return help || scenario is not null
            ? new CommandLineArguments(scenario, help, options, repeated, [.. args])
            : throw new UsageException("Name a scenario, e.g. `utilisation`.");
    }

    public string GetString(string name, string fallback) => Read(name) ?? fallback;

    /// <summary>An option that may be null when not given.</summary>
    public string? GetOptionalString(string name) => Read(name);

    /// <summary>Every value of a repeatable option, in order.</summary>
    public IReadOnlyList<string> GetAll(string name)
    {
        _read.Add(name);
        return _repeated.TryGetValue(name, out var values) ? values : [];
    }

    public TimeSpan GetDuration(string name, TimeSpan fallback) =>
        Read(name) is { } text ? DurationFormat.Parse(name, text) : fallback;

    public int GetInt32(string name, int fallback, int min, int max) =>
        Read(name) is not { } text ? fallback
        : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max ? value
        : throw new UsageException($"{name} takes a whole number from {min} to {max}, not '{text}'.");

    public double GetDouble(string name, double fallback, double min, double max) =>
        Read(name) is not { } text ? fallback
        : double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max ? value
        : throw new UsageException($"{name} takes a number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}, not '{text}'.");

    /// <exception cref="UsageException">An option was given that no getter read.</exception>
    public void ThrowIfUnread()
    {
        foreach (var name in _options.Keys.Concat(_repeated.Keys))
        {
            if (!_read.Contains(name))
            {
                throw new UsageException($"Unknown option {name} for scenario '{Scenario}'.");
            }
        }
    }

    private string? Read(string name)
    {
        _read.Add(name);
        return _options.GetValueOrDefault(name);
    }
}
