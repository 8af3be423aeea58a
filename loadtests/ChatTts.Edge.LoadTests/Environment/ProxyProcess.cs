using System.Diagnostics;
using System.Text.RegularExpressions;

namespace ChatTts.Edge.LoadTests.Environment;

/// <summary>
/// The proxy as a deployment runs it: <c>dotnet ChatTts.Edge.Proxy.dll --urls http://127.0.0.1:0</c> in its output
/// folder, configured by the files there plus environment variables. Its output is kept (the latest lines only)
/// for a failed run. The process tree is killed on dispose and, as a last resort, when this process exits.
/// </summary>
internal sealed partial class ProxyProcess : IAsyncDisposable
{
    private const int KeptLines = 200;

    // Inherited variables with these prefixes could add destinations or endpoints; the run sets its own.
    private static readonly string[] ClearedPrefixes = ["ReverseProxy__", "Edge__", "Kestrel__", "ASPNETCORE_", "DOTNET_ENVIRONMENT"];

    private readonly ChildProcess _process;

    private ProxyProcess(ChildProcess process, Uri address)
    {
        _process = process;
        Address = address;
    }

    public Uri Address { get; }

    public bool HasExited => _process.HasExited;

    /// <exception cref="EnvironmentException">It did not start, exited, or did not listen within <paramref name="startTimeout"/>.</exception>
    public static async Task<ProxyProcess> StartAsync(
        string folder, IReadOnlyDictionary<string, string> environment, TimeProvider time, TimeSpan startTimeout, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("dotnet", [ProxyBuildOutput.AssemblyFile, "--urls", "http://127.0.0.1:0"]) { WorkingDirectory = folder };
        foreach (var key in start.Environment.Keys.Where(k => ClearedPrefixes.Any(p => k.StartsWith(p, StringComparison.OrdinalIgnoreCase))).ToList())
        {
            start.Environment.Remove(key);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var (process, listening) = await ChildProcess.StartAsync("proxy", start, ListeningLine(), time, startTimeout, KeptLines, cancellationToken);
        return new ProxyProcess(process, new Uri(listening.Groups[1].Value));
    }

    /// <summary>The latest output lines under a heading, or nothing when there were none.</summary>
    public string RecentOutput() => _process.RecentOutput();

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningLine();
}
