using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace ChatTts.Edge.TestKit;

/// <summary>
/// Ports for servers a test or the load-test runner starts itself on 127.0.0.1 (redis-server, nginx, Prometheus, a
/// proxy's endpoints), for the tests and the load-test runner alike.
/// </summary>
internal static class Loopback
{
    private const int LowestPort = 10_000;

    /// <summary>
    /// A port free on 127.0.0.1 right now, below the kernel's ephemeral range: the outgoing connections of tests running
    /// in parallel cannot take it between this check and the server's bind, nor while a test restarts a server on it.
    /// </summary>
    public static int FreePort()
    {
        var ephemeralStart = EphemeralRangeStart();
        for (var attempt = 0; attempt < 1000; attempt++)
        {
            var port = Random.Shared.Next(LowestPort, ephemeralStart);
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
                // Taken: try another.
            }
        }

        throw new InvalidOperationException($"No free loopback port between {LowestPort} and {ephemeralStart}.");
    }

    private static int EphemeralRangeStart()
    {
        const string range = "/proc/sys/net/ipv4/ip_local_port_range";
        var first = File.Exists(range) ? File.ReadAllText(range).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[0] : "32768";
        var start = int.Parse(first, CultureInfo.InvariantCulture);
        return start > LowestPort + 1000 ? start : 32768;
    }
}
