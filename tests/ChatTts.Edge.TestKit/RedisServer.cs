using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace ChatTts.Edge.TestKit;

/// <summary>
/// A real <c>redis-server</c> (Debian's package; <c>scripts/install-deps.sh</c> installs it) on 127.0.0.1 and a free
/// port, without persistence (<c>--save "" --appendonly no</c>), run like the proxy: killed on dispose and when this
/// process exits. It can be stopped, frozen and started again on the same port.
/// </summary>
internal sealed partial class RedisServer : IAsyncDisposable
{
    public const string Executable = "/usr/bin/redis-server";
    private const int KeptLines = 50;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(10);

    private readonly string _executable;
    private readonly TimeProvider _time;
    private ChildProcess? _process;

    private RedisServer(string executable, int port, TimeProvider time)
    {
        _executable = executable;
        Port = port;
        _time = time;
    }

    public int Port { get; }

    /// <summary>The StackExchange.Redis configuration string for this server, e.g. <c>127.0.0.1:6379</c>.</summary>
    public string Configuration => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{Port}");

    /// <summary>The server's version as it reported it at its latest start, e.g. <c>7.0.15</c>.</summary>
    public string Version { get; private set; } = "unknown";

    /// <summary>Whether it is not running: it ended by itself, or was stopped.</summary>
    public bool HasExited => _process?.HasExited ?? true;

    /// <summary>Starts one on a free port and waits until it accepts connections.</summary>
    /// <exception cref="EnvironmentException"><c>redis-server</c> is not installed, did not start, or was not ready in time.</exception>
    public static async Task<RedisServer> StartAsync(TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        var server = new RedisServer(InstalledProgram.Find(Executable, "redis-server"), Loopback.FreePort(), time ?? TimeProvider.System);
        await server.StartAgainAsync(cancellationToken);
        return server;
    }

    /// <summary>Starts the server (again) on its port and waits until it accepts connections.</summary>
    /// <exception cref="EnvironmentException">It did not start (a clash on the port ends in "exited before it was
    /// ready"), or was not ready in time.</exception>
    public async Task StartAgainAsync(CancellationToken cancellationToken = default)
    {
        var start = new ProcessStartInfo(_executable,
            ["--port", Port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]);
        _process = await ChildProcess.StartAsync("redis-server", start, ReadyLine(), _time, StartTimeout, KeptLines, cancellationToken);
        Version = VersionLine().Match(_process.RecentOutput()) is { Success: true } match ? match.Groups[1].Value : "unknown";
    }

    /// <summary>Freezes the server with SIGSTOP: connections stay open, nothing is answered (a hung or swapped-out Redis).</summary>
    public Task FreezeAsync() => Running.SignalAsync("STOP", CancellationToken.None);

    /// <summary>Lets a frozen server go on (SIGCONT).</summary>
    public Task ThawAsync() => Running.SignalAsync("CONT", CancellationToken.None);

    /// <summary>Kills the server (as a crash or an outage would) and waits until it is gone.</summary>
    public async Task StopAsync()
    {
        if (_process is { } process)
        {
            _process = null;
            await process.DisposeAsync();
        }
    }

    /// <summary>Sends one command on a new connection and returns the reply's text (a simple string, an integer or a
    /// bulk string), e.g. <c>INFO commandstats</c>. For the few reads and resets a report needs, not for load.</summary>
    /// <exception cref="EnvironmentException">Redis answered with an error, or the connection failed.</exception>
    public async Task<string> CommandAsync(CancellationToken cancellationToken, params string[] arguments)
    {
        var request = new StringBuilder().Append('*').Append(arguments.Length).Append("\r\n");
        foreach (var argument in arguments)
        {
            request.Append('$').Append(Encoding.UTF8.GetByteCount(argument)).Append("\r\n").Append(argument).Append("\r\n");
        }

        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port, cancellationToken);
            await using var stream = client.GetStream();
            await stream.WriteAsync(Encoding.UTF8.GetBytes(request.ToString()), cancellationToken);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var line = await reader.ReadLineAsync(cancellationToken) ?? throw new IOException("Redis closed the connection.");
            if (line[0] != '$')
            {
                return line[0] == '-' ? throw new EnvironmentException($"Redis refused {arguments[0]}: {line[1..]}") : line[1..];
            }

            var length = int.Parse(line.AsSpan(1), CultureInfo.InvariantCulture);
            if (length < 0)
            {
                return ""; // a null bulk string
            }

            var buffer = new char[length]; // the replies read here are ASCII: as many characters as bytes
            await reader.ReadBlockAsync(buffer, cancellationToken);
            return new string(buffer);
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            throw new EnvironmentException($"Redis did not answer {arguments[0]}: {e.Message}", RecentOutput(), e);
        }
    }

    /// <summary>The latest output lines under a heading, or nothing when there were none.</summary>
    public string RecentOutput() => _process?.RecentOutput() ?? "";

    public async ValueTask DisposeAsync() => await StopAsync();

    private ChildProcess Running => _process ?? throw new InvalidOperationException("redis-server is not running.");

    [GeneratedRegex("Ready to accept connections")]
    private static partial Regex ReadyLine();

    [GeneratedRegex(@"Redis version=(\S+?),")]
    private static partial Regex VersionLine();
}
