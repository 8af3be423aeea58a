using System.Net;
using System.Net.Sockets;

namespace ChatTts.Edge.TestKit;

/// <summary>
/// A TCP relay on 127.0.0.1 in front of a server: it passes bytes both ways until <see cref="DropAll"/> drops every
/// connection open through it (as a network blip does); later connections pass again. Stops on dispose.
/// </summary>
internal sealed class DroppingRelay : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Uri _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new();
    private readonly List<TcpClient> _open = [];
    private readonly Task _accepting;

    private DroppingRelay(Uri target)
    {
        _target = target;
        _listener.Start();
        Address = new UriBuilder(target) { Port = ((IPEndPoint)_listener.LocalEndpoint).Port }.Uri;
        _accepting = AcceptAsync();
    }

    /// <summary>The relay's address: the target's, with the relay's port.</summary>
    public Uri Address { get; }

    /// <summary>Connections accepted so far.</summary>
    public int Connections { get; private set; }

    public static DroppingRelay Start(Uri target) => new(target);

    /// <summary>Drops every connection open now (both sides: resets, without a clean close); returns how many.</summary>
    public int DropAll()
    {
        lock (_lock)
        {
            var dropped = 0;
            foreach (var client in _open)
            {
                if (client.Client is { } socket) // null once closed by either side
                {
                    socket.LingerState = new LingerOption(true, 0); // RST, as a broken path does
                    dropped++;
                }

                client.Dispose();
            }

            _open.Clear();
            return dropped;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        DropAll();
        try
        {
            await _accepting;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var inbound = await _listener.AcceptTcpClientAsync(_stop.Token);
            var outbound = new TcpClient();
            try
            {
                await outbound.ConnectAsync(_target.Host, _target.Port, _stop.Token);
            }
            catch (SocketException)
            {
                inbound.Dispose();
                outbound.Dispose();
                continue;
            }

            lock (_lock)
            {
                Connections++;
                _open.Add(inbound);
                _open.Add(outbound);
            }

            _ = PumpAsync(inbound, outbound);
            _ = PumpAsync(outbound, inbound);
        }
    }

    private async Task PumpAsync(TcpClient from, TcpClient to)
    {
        try
        {
            await from.GetStream().CopyToAsync(to.GetStream(), _stop.Token);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            // Dropped, or closed by either side.
        }
        finally
        {
            from.Dispose();
            to.Dispose();
        }
    }
}
