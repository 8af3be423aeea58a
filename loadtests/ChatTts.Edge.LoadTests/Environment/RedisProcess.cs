using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using ChatTts.Edge.Tests.Infrastructure;

namespace ChatTts.Edge.LoadTests.Environment;

/// <summary>
/// A real <c>redis-server</c> (Debian's package) on 127.0.0.1 and a free port, without persistence
/// (<c>--save "" --appendonly no</c>), run and stopped like the proxy: killed on dispose and when this process exits.
/// </summary>
internal sealed partial class RedisProcess : IAsyncDisposable
{
    public const string Executable = "/usr/bin/redis-server";
    private const int KeptLines = 50;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(10);

    private readonly ChildProcess _process;

    private RedisProcess(ChildProcess process, int port, string version)
    {
        _process = process;
        Port = port;
        Version = version;
    }

    public int Port { get; }

    /// <summary>The StackExchange.Redis configuration string for this server, e.g. <c>127.0.0.1:6379</c>.</summary>
    public string Configuration => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{Port}");

    /// <summary>The server's version as it reports it at start, e.g. <c>7.0.15</c>.</summary>
    public string Version { get; }

    public bool HasExited => _process.HasExited;

    /// <exception cref="EnvironmentException"><c>redis-server</c> is not installed, did not start, or was not ready in time.</exception>
    public static async Task<RedisProcess> StartAsync(TimeProvider time, CancellationToken cancellationToken)
    {
        if (!File.Exists(Executable))
        {
            throw new EnvironmentException($"{Executable} is missing: run scripts/install-deps.sh as root to install Debian's redis-server.");
        }

        var port = Loopback.FreePort(); // free now; a clash when redis-server binds it ends in "exited before it was ready"
        var start = new ProcessStartInfo(Executable,
            ["--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]);
        var (process, _) = await ChildProcess.StartAsync("redis-server", start, ReadyLine(), time, StartTimeout, KeptLines, cancellationToken);
        var version = VersionLine().Match(process.RecentOutput()) is { Success: true } match ? match.Groups[1].Value : "unknown";
        return new RedisProcess(process, port, version);
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
    public string RecentOutput() => _process.RecentOutput();

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    [GeneratedRegex("Ready to accept connections")]
    private static partial Regex ReadyLine();

    [GeneratedRegex(@"Redis version=(\S+?),")]
    private static partial Regex VersionLine();
}
