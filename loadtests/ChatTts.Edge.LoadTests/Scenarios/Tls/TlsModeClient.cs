using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using ChatTts.Edge.LoadTests.Load;

namespace ChatTts.Edge.LoadTests.Scenarios.Tls;

/// <summary>One stream of the TLS scenario: its mode, whether it was measured, how it ended and the plan it was charged to.</summary>
internal sealed record TlsStream(TlsMode Mode, bool Measured, StreamOutcome Outcome, string? Plan);

/// <summary>
/// One mode's client side (see <see cref="TlsModes.Description"/>): its <c>SocketsHttpHandler</c>, new per stream or
/// shared, whose connect callback dials 127.0.0.1 and wraps every connection in a <see cref="WireTap"/>. Over TLS it
/// presents the client certificate and trusts only the throw-away CA for the server. One stream at a time.
/// </summary>
internal sealed class TlsModeClient : IDisposable
{
    private static readonly TimeSpan StreamTimeout = TimeSpan.FromSeconds(30);

    private readonly Uri _url;
    private readonly X509Certificate2 _ca;
    private readonly SslStreamCertificateContext _certificate;
    private readonly TimeProvider _time;
    private readonly List<WireTap> _connections = [];
    private readonly (HttpClient Http, PlanProbe Probe)? _shared;
    private bool _measured;
    private int _serverChecks;

    public TlsModeClient(TlsMode mode, Uri url, X509Certificate2 ca, SslStreamCertificateContext certificate, TimeProvider time)
    {
        Mode = mode;
        _url = url;
        _ca = ca;
        _certificate = certificate;
        _time = time;
        _shared = mode is TlsMode.MtlsResumed or TlsMode.MtlsKeepAlive ? CreateClient() : null;
    }

    public TlsMode Mode { get; }

    /// <summary>Every connection it opened, in order; complete once it is disposed.</summary>
    public IReadOnlyList<WireTap> Connections => _connections;

    /// <summary>How often, during measured streams, TLS asked this client to judge the server's certificate.</summary>
    public int ServerCertificateChecks => _serverChecks;

    /// <summary>Runs one stream to its end (or cuts it after 30 s); an interruption throws.</summary>
    public async Task<TlsStream> RunAsync(bool measured, CancellationToken cancellationToken)
    {
        _measured = measured;
        var (http, probe) = _shared ?? CreateClient();
        try
        {
            using var timeout = new CancellationTokenSource(StreamTimeout, _time);
            using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            var outcome = await new SseStreamClient(http, _time).RunAsync(_url, either.Token);
            cancellationToken.ThrowIfCancellationRequested();
            return new TlsStream(Mode, measured, outcome, probe.Plan);
        }
        finally
        {
            if (_shared is null)
            {
                http.Dispose(); // and with it the handler and its connection
            }
        }
    }

    public void Dispose() => _shared?.Http.Dispose();

    // No proxy from the environment, no timeout on the client (a stream lasts as long as its audio); pooled connections
    // live forever unless the mode wants a new one per stream, which mtls-resumed gets from a lifetime of zero.
    private (HttpClient, PlanProbe) CreateClient()
    {
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            ConnectCallback = ConnectAsync,
            PooledConnectionLifetime = Mode == TlsMode.MtlsResumed ? TimeSpan.Zero : Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10),
        };
        if (Mode.UsesTls())
        {
            var trust = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
            trust.CustomTrustStore.Add(_ca);
            handler.SslOptions = new SslClientAuthenticationOptions
            {
                ClientCertificateContext = _certificate,
                CertificateChainPolicy = trust,
                // Counts the checks only: the verdict is the chain built with the policy above, and its name match.
                RemoteCertificateValidationCallback = (_, _, _, errors) =>
                {
                    _serverChecks += _measured ? 1 : 0;
                    return errors == SslPolicyErrors.None;
                },
                // .NET keeps TLS sessions per process (per target host), not per handler: a new handler alone would resume.
                AllowTlsResume = Mode != TlsMode.MtlsFull,
            };
        }

        var probe = new PlanProbe { InnerHandler = handler };
        return (new HttpClient(probe) { Timeout = Timeout.InfiniteTimeSpan }, probe);
    }

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, context.DnsEndPoint.Port), cancellationToken);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var tap = new WireTap(new NetworkStream(socket, ownsSocket: true), Mode.UsesTls(), _measured);
        lock (_connections)
        {
            _connections.Add(tap);
        }

        return tap;
    }

    /// <summary>Which plan the proxy charged a response to, from its <c>RateLimit-Limit</c> (the plans' bursts differ).</summary>
    private sealed class PlanProbe : DelegatingHandler
    {
        private static readonly string CertificateLimit = TlsSettings.CertificateBurst.ToString(CultureInfo.InvariantCulture);
        private static readonly string AnonymousLimit = TlsSettings.AnonymousBurst.ToString(CultureInfo.InvariantCulture);

        public string? Plan { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Plan = null;
            var response = await base.SendAsync(request, cancellationToken);
            var limit = response.Headers.TryGetValues("RateLimit-Limit", out var values) ? values.FirstOrDefault() : null;
            Plan = limit == CertificateLimit ? "certificate" : limit == AnonymousLimit ? "anonymous" : limit is null ? null : $"RateLimit-Limit {limit}";
            return response;
        }
    }
}
