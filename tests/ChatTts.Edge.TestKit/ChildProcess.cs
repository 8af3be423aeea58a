using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace ChatTts.Edge.TestKit;

/// <summary>
/// A process a test or a load-test run starts and owns (the proxy, <c>redis-server</c>, nginx): ready once it has
/// written a line that matches a pattern; its output is kept (every line, or the latest ones only)
/// for a test to read or a failed run to show. The process tree is killed on dispose and, as a last resort, when this
/// process exits, so no test or run leaves one behind.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private static readonly TimeSpan ExitWait = TimeSpan.FromSeconds(10);

    private readonly string _name;
    private readonly Process _process;
    private readonly Regex _readyLine;
    private readonly TimeProvider _time;
    private readonly OutputTail _output;
    private readonly Action<string>? _onLine;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _disposed;

    private ChildProcess(string name, ProcessStartInfo start, Regex readyLine, TimeProvider time, int? keptLines, Action<string>? onLine)
    {
        _name = name;
        _process = new Process { StartInfo = start, EnableRaisingEvents = true };
        _readyLine = readyLine;
        _time = time;
        _output = new OutputTail(name, keptLines);
        _onLine = onLine;
    }

    public bool HasExited => _process.HasExited;

    /// <summary>Its process id.</summary>
    public int Id => _process.Id;

    /// <summary>Its exit code, once it has exited.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>The output lines kept, one per line, without a heading.</summary>
    public string Output => _output.Text();

    /// <summary>Starts <paramref name="start"/> (its output redirected here) and waits for a line that matches
    /// <paramref name="readyLine"/>. <paramref name="keptLines"/>: how many of the latest output lines to keep, or null for all of them;
    /// <paramref name="onLine"/> sees every line as it comes (on either of two threads, stdout's and stderr's).</summary>
    /// <exception cref="EnvironmentException">It did not start, exited, or was not ready within <paramref name="startTimeout"/>;
    /// it is stopped again.</exception>
    public static async Task<ChildProcess> StartAsync(
        string name, ProcessStartInfo start, Regex readyLine, TimeProvider time, TimeSpan startTimeout, int? keptLines, CancellationToken cancellationToken,
        Action<string>? onLine = null)
    {
        ArgumentNullException.ThrowIfNull(start);
        start.UseShellExecute = false;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        var child = new ChildProcess(name, start, readyLine, time, keptLines, onLine);
        child._process.OutputDataReceived += child.OnOutput;
        child._process.ErrorDataReceived += child.OnOutput;
        child._process.Exited += child.OnExited;
        try
        {
            child._process.Start();
        }
        catch (Win32Exception e)
        {
            child._process.Dispose();
            throw new EnvironmentException($"`{start.FileName}` could not be started: {e.Message}", innerException: e);
        }

        AppDomain.CurrentDomain.ProcessExit += child.OnProcessExit;
        child._process.BeginOutputReadLine();
        child._process.BeginErrorReadLine();
        try
        {
            await child._ready.Task.WaitAsync(startTimeout, time, cancellationToken);
            return child;
        }
        catch (Exception e) when (e is TimeoutException or EnvironmentException)
        {
            await child.DisposeAsync();
            throw new EnvironmentException(e is TimeoutException ? $"The {name} was not ready within {startTimeout}." : e.Message, child.RecentOutput(), e);
        }
        catch
        {
            await child.DisposeAsync();
            throw;
        }
    }

    /// <summary>The latest output lines under a heading, or nothing when there were none.</summary>
    public string RecentOutput() => _output.ToString();

    /// <summary>Sends it a signal with <c>kill</c>, e.g. <c>TERM</c> (as a container runtime or systemd does), <c>STOP</c>
    /// or <c>CONT</c>.</summary>
    public async Task SignalAsync(string signal, CancellationToken cancellationToken)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, Id.ToString(CultureInfo.InvariantCulture)]))
            ?? throw new InvalidOperationException("kill did not start");
        await kill.WaitForExitAsync(cancellationToken);
    }

    /// <summary>Waits until it has exited and its output has been read to the end.</summary>
    public Task WaitForExitAsync(CancellationToken cancellationToken) => _process.WaitForExitAsync(cancellationToken);

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
        if (_ready.Task.IsCompleted)
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

        _ready.TrySetException(new EnvironmentException($"The {_name} exited with code {code} before it was ready."));
    }

    private void OnOutput(object? sender, DataReceivedEventArgs e)
    {
        if (e.Data is not { } line)
        {
            return;
        }

        _output.Add(line);
        _onLine?.Invoke(line);
        if (!_ready.Task.IsCompleted && _readyLine.IsMatch(line))
        {
            _ready.TrySetResult();
        }
    }
}
