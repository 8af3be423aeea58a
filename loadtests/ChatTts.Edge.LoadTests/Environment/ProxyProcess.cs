using System.Diagnostics;
using System.Text.RegularExpressions;

namespace ChatTts.Edge.LoadTests.Environment;

/// <summary>
/// The proxy as a deployment runs it: <c>dotnet ChatTts.Edge.Proxy.dll --urls http://127.0.0.1:0</c> in its output
/// folder, configured by the files there plus environment variables (configured <c>Kestrel:Endpoints</c> replace
/// <c>--urls</c>; it then listens once per endpoint). Its output is kept (the latest lines only) for a failed run.
/// The process tree is killed on dispose and, as a last resort, when this process exits.
/// </summary>
internal sealed partial class ProxyProcess : IAsyncDisposable
{
    private const int KeptLines = 200;

    // Inherited variables with these prefixes could add destinations or endpoints; the run sets its own.
    private static readonly string[] ClearedPrefixes = ["ReverseProxy__", "Edge__", "Kestrel__", "ASPNETCORE_", "DOTNET_ENVIRONMENT"];

    private readonly ChildProcess _process;

    private ProxyProcess(ChildProcess process, IReadOnlyList<Uri> addresses)
    {
        _process = process;
        Addresses = addresses;
    }

    /// <summary>The first address it listens on over plain HTTP (or, without one, its first address).</summary>
    public Uri Address => Addresses.FirstOrDefault(a => a.Scheme == Uri.UriSchemeHttp) ?? Addresses[0];

    /// <summary>Every address it listens on, in the order it reported them.</summary>
    public IReadOnlyList<Uri> Addresses { get; }

    public bool HasExited => _process.HasExited;

    public int ProcessId => _process.Id;

    /// <summary>Starts it and waits until it listens on <paramref name="endpoints"/> addresses.</summary>
    /// <exception cref="EnvironmentException">It did not start, exited, or did not listen within <paramref name="startTimeout"/>.</exception>
    public static async Task<ProxyProcess> StartAsync(
        string folder, IReadOnlyDictionary<string, string> environment, int endpoints, TimeProvider time, TimeSpan startTimeout, CancellationToken cancellationToken,
        string? cpus = null)
    {
        var (program, arguments) = CpuPinning.Command("dotnet", [ProxyBuildOutput.AssemblyFile, "--urls", "http://127.0.0.1:0"], cpus);
        var start = new ProcessStartInfo(program, arguments) { WorkingDirectory = folder };
        foreach (var key in start.Environment.Keys.Where(k => ClearedPrefixes.Any(p => k.StartsWith(p, StringComparison.OrdinalIgnoreCase))).ToList())
        {
            start.Environment.Remove(key);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var (process, listening) = await ChildProcess.StartAsync(
            "proxy", start, ListeningLine(), time, startTimeout, KeptLines, cancellationToken, readyLineCount: endpoints);
        return new ProxyProcess(process, [.. listening.Select(line => new Uri(line.Groups[1].Value))]);
    }

    /// <summary>The latest output lines under a heading, or nothing when there were none.</summary>
    public string RecentOutput() => _process.RecentOutput();

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    [GeneratedRegex(@"Now listening on: (https?://\S+)")]
    private static partial Regex ListeningLine();
}
