using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
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
    private static readonly TimeSpan ExitWait = TimeSpan.FromSeconds(10);

    // Inherited variables with these prefixes could add destinations or endpoints; the run sets its own.
    private static readonly string[] ClearedPrefixes = ["ReverseProxy__", "Edge__", "Kestrel__", "ASPNETCORE_", "DOTNET_ENVIRONMENT"];

    private readonly Process _process;
    private readonly TimeProvider _time;
    private readonly OutputTail _output = new("proxy", KeptLines);
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _disposed;

    private ProxyProcess(Process process, TimeProvider time)
    {
        _process = process;
        _time = time;
    }

    public Uri Address { get; private set; } = null!;

    public bool HasExited => _process.HasExited;

    /// <exception cref="EnvironmentException">It did not start, exited, or did not listen within <paramref name="startTimeout"/>.</exception>
    public static async Task<ProxyProcess> StartAsync(
        string folder, IReadOnlyDictionary<string, string> environment, TimeProvider time, TimeSpan startTimeout, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("dotnet", [ProxyBuildOutput.AssemblyFile, "--urls", "http://127.0.0.1:0"])
        {
            WorkingDirectory = folder,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var key in start.Environment.Keys.Where(k => ClearedPrefixes.Any(p => k.StartsWith(p, StringComparison.OrdinalIgnoreCase))).ToList())
        {
            start.Environment.Remove(key);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var proxy = new ProxyProcess(new Process { StartInfo = start, EnableRaisingEvents = true }, time);
        proxy._process.OutputDataReceived += proxy.OnOutput;
        proxy._process.ErrorDataReceived += proxy.OnOutput;
        proxy._process.Exited += proxy.OnExited;
        try
        {
            proxy._process.Start();
        }
        catch (Win32Exception e)
        {
            proxy._process.Dispose();
            throw new EnvironmentException($"`dotnet` could not be started: {e.Message}", innerException: e);
        }

        AppDomain.CurrentDomain.ProcessExit += proxy.OnProcessExit;
        proxy._process.BeginOutputReadLine();
        proxy._process.BeginErrorReadLine();
        try
        {
            proxy.Address = await proxy._listening.Task.WaitAsync(startTimeout, time, cancellationToken);
            return proxy;
        }
        catch (Exception e) when (e is TimeoutException or EnvironmentException)
        {
            await proxy.DisposeAsync();
            throw new EnvironmentException(e is TimeoutException ? $"The proxy did not listen within {startTimeout}." : e.Message, proxy.RecentOutput(), e);
        }
        catch
        {
            await proxy.DisposeAsync();
            throw;
        }
    }

    /// <summary>The latest output lines under a heading, or nothing when there were none.</summary>
    public string RecentOutput() => _output.ToString();

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _process.Exited -= OnExited;
        Kill();
        // Only now: an exit (a second Ctrl+C) while Kill still walks the process tree must kill it as well.
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        // Waits for the output to be read to the end as well, so RecentOutput is complete afterwards.
        await _process.WaitForExitAsync().WaitAsync(ExitWait, _time).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _process.Dispose();
    }

    private void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or Win32Exception)
        {
            // It has exited already.
        }
    }

    private void OnProcessExit(object? sender, EventArgs e) => Kill();

    private void OnExited(object? sender, EventArgs e)
    {
        if (_listening.Task.IsCompleted)
        {
            return;
        }

        string code;
        try
        {
            code = _process.ExitCode.ToString(CultureInfo.InvariantCulture);
        }
        catch (InvalidOperationException)
        {
            code = "unknown"; // disposed meanwhile
        }

        _listening.TrySetException(new EnvironmentException($"The proxy exited with code {code} before it listened."));
    }

    private void OnOutput(object? sender, DataReceivedEventArgs e)
    {
        if (e.Data is not { } line)
        {
            return;
        }

        _output.Add(line);
        if (ListeningLine().Match(line) is { Success: true } match)
        {
            _listening.TrySetResult(new Uri(match.Groups[1].Value));
        }
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningLine();
}
