using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using ChatTts.Edge.TestKit;

namespace ChatTts.Edge.LoadTests.Environment;

/// <summary>
/// A real nginx (Debian's package) on 127.0.0.1 and a free port as a reference reverse proxy for a streaming response:
/// every location goes to one upstream over kept-alive HTTP/1.1 connections, unbuffered both ways. It runs in the
/// foreground with its configuration, pid file, logs and temporary files in a new temporary folder, deleted on dispose.
/// </summary>
/// <remarks>
/// Ready once the master has started its worker (it logs that at <c>notice</c> level, after it has bound the port)
/// and the port accepts a connection. Dispose asks for a fast shutdown (<c>nginx -s stop</c>, TERM), so the master
/// stops and reaps its worker, then kills whatever is left: killing the tree outright would leave the orphaned worker
/// a zombie where PID 1 does not reap orphans, as in a container.
/// </remarks>
internal sealed partial class NginxProcess : IAsyncDisposable
{
    public const string Executable = "/usr/sbin/nginx";
    private const int KeptLines = 50;
    private const int BindAttempts = 3;

    /// <summary>The streams the runner may hold open through it at once.</summary>
    private const int Streams = 20_000;

    /// <summary>A client and an upstream connection per stream, and a margin.</summary>
    private const int WorkerConnections = (2 * Streams) + 1_000;

    /// <summary>Those connections plus the listening socket, the log, epoll's descriptors.</summary>
    private const int OpenFiles = WorkerConnections + 100;

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan StopWait = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    private readonly ChildProcess _process;
    private readonly string _executable;
    private readonly string _prefix;
    private readonly TimeProvider _time;
    private int _disposed;

    private NginxProcess(ChildProcess process, string executable, string prefix, int port, TimeProvider time)
    {
        _process = process;
        _executable = executable;
        _prefix = prefix;
        _time = time;
        Address = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}/"));
    }

    /// <summary>Where it listens, <c>http://127.0.0.1:port/</c>.</summary>
    public Uri Address { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>Starts nginx in front of <paramref name="upstream"/> (plain HTTP; a path there prefixes every
    /// request's path) and waits until it accepts connections. A port taken meanwhile by another process is replaced
    /// by another free one, a couple of times.</summary>
    /// <exception cref="EnvironmentException">nginx is not installed, did not start, or did not accept connections in
    /// time.</exception>
    /// <param name="cpus">The CPUs nginx runs on (a taskset list); null for any.</param>
    public static async Task<NginxProcess> StartAsync(Uri upstream, TimeProvider time, CancellationToken cancellationToken, string? cpus = null)
    {
        ArgumentNullException.ThrowIfNull(upstream);
        ArgumentNullException.ThrowIfNull(time);
        if (!upstream.IsAbsoluteUri || upstream.Scheme != Uri.UriSchemeHttp)
        {
            throw new ArgumentException($"The upstream must be an absolute http:// address, not {upstream}.", nameof(upstream));
        }

        var executable = InstalledProgram.Find(Executable, "nginx");
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnceAsync(executable, upstream, cpus, time, cancellationToken);
            }
            catch (EnvironmentException e) when (attempt < BindAttempts && e.Details.Contains("Address already in use", StringComparison.Ordinal))
            {
                // Another process bound the port between Loopback.FreePort and nginx: try another one.
            }
        }
    }

    /// <summary>The latest output lines under a heading, or nothing when there were none.</summary>
    public string RecentOutput() => _process.RecentOutput();

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (!_process.HasExited)
        {
            await StopAsync();
        }

        await _process.DisposeAsync(); // kills whatever is left and waits for the master
        if (Directory.Exists(_prefix))
        {
            Directory.Delete(_prefix, recursive: true);
        }
    }

    private static async Task<NginxProcess> StartOnceAsync(string executable, Uri upstream, string? cpus, TimeProvider time, CancellationToken cancellationToken)
    {
        var prefix = Directory.CreateTempSubdirectory("chattts-edge-nginx-").FullName + Path.DirectorySeparatorChar;
        ChildProcess process;
        int port;
        try
        {
            port = Loopback.FreePort(); // free now; a clash when nginx binds it a moment later ends in a retry
            await File.WriteAllTextAsync(ConfigurationFile(prefix), Configuration(prefix, port, upstream, OpenFileLimit()), cancellationToken);
            var (program, arguments) = CpuPinning.Command(executable, Arguments(prefix), cpus);
            var start = new ProcessStartInfo(program, arguments);
            process = await ChildProcess.StartAsync("nginx", start, ReadyLine(), time, StartTimeout, KeptLines, cancellationToken);
        }
        catch
        {
            Directory.Delete(prefix, recursive: true);
            throw;
        }

        var nginx = new NginxProcess(process, executable, prefix, port, time);
        try
        {
            await nginx.WaitUntilAcceptingAsync(port, cancellationToken);
            return nginx;
        }
        catch
        {
            await nginx.DisposeAsync();
            throw;
        }
    }

    private static string Configuration(string prefix, int port, Uri upstream, int openFiles)
    {
        // As root, the worker would switch to nobody:nogroup (and fail where there is no group nobody, as on Debian);
        // root keeps access to the temporary folder, which only its owner may enter. Otherwise it runs as this user.
        var user = System.Environment.IsPrivilegedProcess ? "user root root;" : "# user: as the user running the load test";
        // With a path, nginx puts it in place of the location's "/"; without one, it passes each request's URI as is.
        var path = upstream.AbsolutePath == "/" ? "" : upstream.AbsolutePath.TrimEnd('/') + "/";
        return string.Create(CultureInfo.InvariantCulture, $$"""
            # A reference reverse proxy for streaming responses, generated by the ChatTts.Edge load-test runner.
            # One worker: this 2-core machine also runs the proxy under test and the load generator, and more workers
            # would only compete with them for the same cores.
            worker_processes 1;
            {{user}}
            daemon off;
            pid "{{prefix}}nginx.pid";
            lock_file "{{prefix}}nginx.lock";
            # notice: the master logs "start worker process", which tells the runner it is listening.
            error_log stderr notice;
            # At most the hard limit this process has: raising it needs CAP_SYS_RESOURCE, which a container may lack
            # even to root.
            worker_rlimit_nofile {{openFiles}};

            events {
                # Two connections (client and upstream) per stream, for {{Streams}} streams where the limit above allows.
                worker_connections {{Math.Min(WorkerConnections, openFiles)}};
            }

            http {
                access_log off;
                client_body_temp_path "{{prefix}}client_body";
                proxy_temp_path "{{prefix}}proxy";
                fastcgi_temp_path "{{prefix}}fastcgi";
                uwsgi_temp_path "{{prefix}}uwsgi";
                scgi_temp_path "{{prefix}}scgi";
                # Kestrel does not close a kept-alive client connection after some number of requests either.
                keepalive_requests 1000000;

                upstream chattts {
                    server {{upstream.Host}}:{{upstream.Port}};
                    keepalive 1024;
                }

                server {
                    listen 127.0.0.1:{{port}};

                    location / {
                        proxy_pass http://chattts{{path}};
                        proxy_http_version 1.1;
                        proxy_set_header Connection "";
                        proxy_set_header Host "{{upstream.Authority}}";
                        proxy_buffering off;
                        proxy_request_buffering off;
                        proxy_cache off;
                        proxy_read_timeout 300s;
                        proxy_send_timeout 300s;
                        chunked_transfer_encoding on;
                    }
                }
            }

            """);
    }

    private static string ConfigurationFile(string prefix) => prefix + "nginx.conf";

    private static string[] Arguments(string prefix) => ["-p", prefix, "-c", ConfigurationFile(prefix), "-e", "stderr"];

    /// <summary>The hard limit on open files this process has (which nginx inherits), capped at
    /// <see cref="OpenFiles"/>; that where it cannot be read (not Linux).</summary>
    private static int OpenFileLimit()
    {
        const string Label = "Max open files";
        try
        {
            foreach (var line in File.ReadLines("/proc/self/limits"))
            {
                if (line.StartsWith(Label, StringComparison.Ordinal))
                {
                    var limits = line[Label.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries); // soft, hard, unit
                    return limits.Length > 1 && int.TryParse(limits[1], NumberStyles.None, CultureInfo.InvariantCulture, out var hard)
                        ? Math.Min(hard, OpenFiles)
                        : OpenFiles; // "unlimited"
                }
            }
        }
        catch (IOException)
        {
            // No /proc.
        }

        return OpenFiles;
    }

    private async Task WaitUntilAcceptingAsync(int port, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken).AsTask().WaitAsync(ConnectTimeout, _time, cancellationToken);
                return;
            }
            catch (Exception e) when (e is SocketException or TimeoutException)
            {
                if (_process.HasExited || _time.GetElapsedTime(started) >= StartTimeout)
                {
                    throw new EnvironmentException(
                        _process.HasExited ? "nginx exited before it accepted connections." : $"nginx did not accept connections on port {port} within {StartTimeout}.",
                        _process.RecentOutput(),
                        e);
                }
            }

            await Task.Delay(PollInterval, _time, cancellationToken);
        }
    }

    /// <summary>A fast shutdown: TERM to the master (by its pid file), which stops its worker, waits for it and exits.
    /// Returns once the master has exited or after <see cref="StopWait"/>.</summary>
    private async Task StopAsync()
    {
        var start = new ProcessStartInfo(_executable, [.. Arguments(_prefix), "-s", "stop"])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true, // only "signal process started": not for the console
            RedirectStandardError = true,
        };
        try
        {
            using var signal = Process.Start(start);
            if (signal is null)
            {
                return;
            }

            try
            {
                await signal.WaitForExitAsync().WaitAsync(StopWait, _time);
            }
            catch (TimeoutException)
            {
                signal.Kill(entireProcessTree: true);
                return;
            }
        }
        catch (Exception e) when (e is Win32Exception or InvalidOperationException)
        {
            return; // nginx could not be run to send the signal: the tree is killed instead
        }

        var started = _time.GetTimestamp();
        while (!_process.HasExited && _time.GetElapsedTime(started) < StopWait)
        {
            await Task.Delay(PollInterval, _time);
        }
    }

    [GeneratedRegex(@"start worker process \d+")]
    private static partial Regex ReadyLine();
}
