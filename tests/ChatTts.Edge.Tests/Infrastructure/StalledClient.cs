using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ChatTts.Edge.Tests.Infrastructure;

/// <summary>
/// A client that sends one GET over a raw socket with a small receive buffer, reads at most the response's headers and
/// then never reads again, as a phone in a tunnel or a hostile client does: its connection's window fills and stays
/// full. Disposing closes the socket.
/// </summary>
internal sealed class StalledClient : IDisposable
{
    /// <summary>What the client asks the kernel for; Linux grants twice that, still far below what a long stream sends.</summary>
    public const int RequestedReceiveBuffer = 4096;

    private readonly Socket _socket;

    private StalledClient(Socket socket, string statusLine)
    {
        _socket = socket;
        StatusLine = statusLine;
    }

    /// <summary>The response's first line, e.g. <c>HTTP/1.1 200 OK</c>.</summary>
    public string StatusLine { get; }

    /// <summary>The receive buffer the kernel granted the socket (<c>SO_RCVBUF</c>).</summary>
    public int ReceiveBufferSize => _socket.ReceiveBufferSize;

    /// <summary>Sends the request, reads until the end of the response's headers, and stops reading.</summary>
    public static async Task<StalledClient> OpenAsync(Uri server, string pathAndQuery, CancellationToken cancellationToken)
    {
        // Set before connecting, so the window the client offers is small from the handshake on.
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = RequestedReceiveBuffer };
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, server.Port), cancellationToken);
            var request = $"GET {pathAndQuery} HTTP/1.1\r\nHost: {server.Authority}\r\nAccept: text/event-stream\r\n\r\n";
            await socket.SendAsync(Encoding.ASCII.GetBytes(request), SocketFlags.None, cancellationToken);
            var head = await ReadHeadAsync(socket, cancellationToken);
            return new StalledClient(socket, head[..head.IndexOf("\r\n", StringComparison.Ordinal)]);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public void Dispose() => _socket.Dispose();

    // A few bytes at a time, so little of the body is taken with the headers.
    private static async Task<string> ReadHeadAsync(Socket socket, CancellationToken cancellationToken)
    {
        var head = new StringBuilder();
        var buffer = new byte[64];
        while (head.ToString().IndexOf("\r\n\r\n", StringComparison.Ordinal) < 0)
        {
            var read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
            if (read == 0)
            {
                throw new IOException("The server closed the connection before the end of the response's headers.");
            }

            head.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        return head.ToString();
    }
}
