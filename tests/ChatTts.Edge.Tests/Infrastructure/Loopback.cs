using System.Net;
using System.Net.Sockets;

namespace ChatTts.Edge.Tests.Infrastructure;

/// <summary>Ports for servers a test starts itself on 127.0.0.1 (redis-server, Prometheus, a proxy's endpoints).</summary>
internal static class Loopback
{
    /// <summary>A port free on 127.0.0.1 right now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
