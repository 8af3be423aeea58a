using System.Diagnostics;
using System.Text.RegularExpressions;

namespace ChatTts.Edge.Tests.Infrastructure;

/// <summary>
/// The proxy as a deployment runs it: <c>dotnet ChatTts.Edge.Proxy.dll</c> started in its own build output
/// folder, reading the configuration files there. Listens on a free loopback port; disposing kills it.
/// </summary>
internal sealed partial class ProxyProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _output = [];
    private int _disposed;

    private ProxyProcess(Process process) => _process = process;

    /// <summary>The process id (the proxy runs inside the <c>dotnet</c> host process).</summary>
    public int Id => _process.Id;

    /// <summary>The first address it listens on.</summary>
    public Uri Address => Addresses[0];

    /// <summary>Every address it listens on (one per Kestrel endpoint), in the order it reported them.</summary>
    public IReadOnlyList<Uri> Addresses { get; private set; } = [];

    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join(Environment.NewLine, _output);
            }
        }
    }

    /// <summary>Runs the proxy expecting it to stop by itself (a refused configuration); returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunToExitAsync(IDictionary<string, string> environment, CancellationToken cancellationToken)
    {
        using var process = Process.Start(StartInfo(environment)) ?? throw new InvalidOperationException("dotnet did not start");
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

    public static async Task<ProxyProcess> StartAsync(IDictionary<string, string> environment, CancellationToken cancellationToken)
    {
        var start = StartInfo(environment);
        var proxy = new ProxyProcess(Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start"));
        var addresses = new List<Uri>();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnLine(object? sender, DataReceivedEventArgs e)
        {
            if (e.Data is null)
            {
                return;
            }

            lock (proxy._output)
            {
                proxy._output.Add(e.Data);
            }

            if (ListeningLine().Match(e.Data) is { Success: true } match && Uri.TryCreate(match.Groups[1].Value, UriKind.Absolute, out var address))
            {
                lock (addresses)
                {
                    addresses.Add(address);
                }
            }
            else if (e.Data.Contains("Application started", StringComparison.Ordinal))
            {
                started.TrySetResult();
            }
        }

        proxy._process.OutputDataReceived += OnLine;
        proxy._process.ErrorDataReceived += OnLine;
        proxy._process.BeginOutputReadLine();
        proxy._process.BeginErrorReadLine();
        try
        {
            await started.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
            lock (addresses)
            {
                proxy.Addresses = addresses.Count > 0 ? [.. addresses] : throw new InvalidOperationException("The proxy started without listening anywhere:\n" + proxy.Output);
            }
        }
        catch
        {
            await proxy.DisposeAsync();
            throw;
        }

        return proxy;
    }

    /// <summary>Sends SIGTERM, as a container runtime or systemd does, and returns the exit code once the process has ended.</summary>
    public async Task<int> TerminateAsync(CancellationToken cancellationToken)
    {
        using (var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) ?? throw new InvalidOperationException("kill did not start"))
        {
            await kill.WaitForExitAsync(cancellationToken);
        }

        await _process.WaitForExitAsync(cancellationToken);
        return _process.ExitCode;
    }

    /// <summary>Kills the process (and its children) if it still runs. Safe to call more than once.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private static ProcessStartInfo StartInfo(IDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet", ["ChatTts.Edge.Proxy.dll", "--urls", "http://127.0.0.1:0"])
        {
            WorkingDirectory = OutputFolder(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        return start;
    }

    /// <summary>The proxy's own output folder, built in the same configuration as these tests.</summary>
    private static string OutputFolder()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name; // bin/<Configuration>/net10.0/
        var folder = Path.Combine(Repository.Root, "proxy", "ChatTts.Edge.Proxy", "bin", configuration, "net10.0");
        return File.Exists(Path.Combine(folder, "ChatTts.Edge.Proxy.dll")) ? folder : throw new FileNotFoundException($"The proxy is not built in {folder}.");
    }

    [GeneratedRegex(@"Now listening on: (https?://[^\s""]+)")]
    private static partial Regex ListeningLine();
}
