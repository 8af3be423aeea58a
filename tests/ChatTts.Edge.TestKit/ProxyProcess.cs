using System.Diagnostics;
using System.Text.RegularExpressions;

namespace ChatTts.Edge.TestKit;

/// <summary>
/// The proxy as a deployment runs it: <c>dotnet ChatTts.Edge.Proxy.dll --urls http://127.0.0.1:0</c> in its build
/// output folder, configured by the files there plus environment variables (configured <c>Kestrel:Endpoints</c> replace
/// <c>--urls</c>; it then listens once per endpoint). Ready once it reports <c>Application started</c>, having reported
/// every address it listens on. The process tree is killed on dispose and, as a last resort, when this process exits.
/// </summary>
internal sealed partial class ProxyProcess : IAsyncDisposable
{
    // Inherited variables with these prefixes could add destinations or endpoints; the caller sets its own.
    private static readonly string[] ClearedPrefixes = ["ReverseProxy__", "Edge__", "Kestrel__", "ASPNETCORE_", "DOTNET_ENVIRONMENT"];

    private readonly ChildProcess _process;

    private ProxyProcess(ChildProcess process, IReadOnlyList<Uri> addresses)
    {
        _process = process;
        Addresses = addresses;
    }

    /// <summary>The first address it listens on over plain HTTP (or, without one, its first address).</summary>
    public Uri Address => Addresses.FirstOrDefault(a => a.Scheme == Uri.UriSchemeHttp) ?? Addresses[0];

    /// <summary>Every address it listens on (one per Kestrel endpoint), in the order it reported them.</summary>
    public IReadOnlyList<Uri> Addresses { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>The process id (the proxy runs inside the <c>dotnet</c> host process).</summary>
    public int Id => _process.Id;

    /// <summary>The output kept (see <see cref="ProxyProcessOptions.KeptLines"/>), one line per line.</summary>
    public string Output => _process.Output;

    /// <summary>Starts it and waits until it has started.</summary>
    /// <exception cref="EnvironmentException">It is not built, did not start, exited, did not start within the options'
    /// start timeout, or started without listening anywhere.</exception>
    public static async Task<ProxyProcess> StartAsync(
        IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken, ProxyProcessOptions? options = null)
    {
        options ??= new ProxyProcessOptions();
        var addresses = new List<Uri>();
        void OnLine(string line)
        {
            if (ListeningLine().Match(line) is { Success: true } match && Uri.TryCreate(match.Groups[1].Value, UriKind.Absolute, out var address))
            {
                lock (addresses) // stdout and stderr are read on two threads
                {
                    addresses.Add(address);
                }
            }
        }

        var process = await ChildProcess.StartAsync(
            "proxy", StartInfo(environment, options.Cpus), StartedLine(), options.Time, options.StartTimeout, options.KeptLines, cancellationToken, onLine: OnLine);
        lock (addresses)
        {
            if (addresses.Count > 0)
            {
                return new ProxyProcess(process, [.. addresses]);
            }
        }

        var output = process.RecentOutput();
        await process.DisposeAsync();
        throw new EnvironmentException("The proxy started without listening anywhere.", output);
    }

    /// <summary>Runs the proxy expecting it to stop by itself (a refused configuration); returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunToExitAsync(IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken)
    {
        var start = StartInfo(environment, cpus: null);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        try
        {
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var errors = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            return (process.ExitCode, await output + await errors);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    /// <summary>The latest output lines under a heading, or nothing when there were none.</summary>
    public string RecentOutput() => _process.RecentOutput();

    /// <summary>Sends SIGTERM, as a container runtime or systemd does, and returns the exit code once the process has
    /// ended and its output has been read to the end.</summary>
    public async Task<int> TerminateAsync(CancellationToken cancellationToken)
    {
        await _process.SignalAsync("TERM", cancellationToken);
        await _process.WaitForExitAsync(cancellationToken);
        return _process.ExitCode;
    }

    /// <summary>Kills the process tree if it still runs. Safe to call more than once.</summary>
    public ValueTask DisposeAsync() => _process.DisposeAsync();

    private static ProcessStartInfo StartInfo(IReadOnlyDictionary<string, string> environment, string? cpus)
    {
        var (program, arguments) = CpuPinning.Command("dotnet", [ProxyBuildOutput.AssemblyFile, "--urls", "http://127.0.0.1:0"], cpus);
        var start = new ProcessStartInfo(program, arguments) { WorkingDirectory = ProxyBuildOutput.Folder() };
        foreach (var key in start.Environment.Keys.Where(k => ClearedPrefixes.Any(p => k.StartsWith(p, StringComparison.OrdinalIgnoreCase))).ToList())
        {
            start.Environment.Remove(key);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        return start;
    }

    // Plain console lines, or JSON ones (where the address ends at a quote).
    [GeneratedRegex(@"Now listening on: (https?://[^\s""]+)")]
    private static partial Regex ListeningLine();

    [GeneratedRegex("Application started")]
    private static partial Regex StartedLine();
}

/// <summary>How a <see cref="ProxyProcess"/> runs.</summary>
internal sealed record ProxyProcessOptions
{
    /// <summary>The clock of the start timeout.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>How long it may take to start.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How many of its latest output lines to keep, or null (a test's choice) to keep every line.</summary>
    public int? KeptLines { get; init; }

    /// <summary>The CPUs it runs on (a taskset list such as <c>1</c> or <c>2-3</c>), or null for any.</summary>
    public string? Cpus { get; init; }
}
