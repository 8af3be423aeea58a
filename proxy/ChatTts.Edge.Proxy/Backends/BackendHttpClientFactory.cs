using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using ChatTts.Edge.Security;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Forwarder;
using ChatTts.Edge.Hosting;

namespace ChatTts.Edge.Backends;

/// <summary>
/// YARP's HTTP client for the clusters, plus TLS towards the GPUs (<c>Edge:Backends</c>): the proxy presents its
/// client certificate to backends that ask for one, and checks their server certificates against
/// <c>Edge:Backends:TrustedCaPath</c> only. Both PEM files are read again when they change, so a rotation takes
/// effect for the next connection. Syntheses and active health probes share this client.
/// </summary>
internal sealed partial class BackendHttpClientFactory : ForwarderHttpClientFactory
{
    private readonly PemFile<X509Certificate2>? _clientCertificate;
    private readonly PemFile<X509Certificate2Collection>? _trusted;
    private readonly ILogger<BackendHttpClientFactory> _logger;

    public BackendHttpClientFactory(IOptions<BackendTlsOptions> options, ILogger<ForwarderHttpClientFactory> baseLogger, ILogger<BackendHttpClientFactory> logger)
        : base(baseLogger)
    {
        _logger = logger;
        var tls = options.Value;
        if (tls.ClientCertificate is { Path: { Length: > 0 } path, KeyPath: { Length: > 0 } keyPath })
        {
            _clientCertificate = new PemFile<X509Certificate2>(path, certificatePath => X509Certificate2.CreateFromPemFile(certificatePath, keyPath), keyPath);
        }

        if (tls.TrustedCaPath is { Length: > 0 } trusted)
        {
            _trusted = new PemFile<X509Certificate2Collection>(trusted, PemFile<X509Certificate2Collection>.LoadBundle);
        }
    }

    protected override void ConfigureHandler(ForwarderHttpClientContext context, SocketsHttpHandler handler)
    {
        base.ConfigureHandler(context, handler);
        if (_clientCertificate is { } client)
        {
            handler.SslOptions.LocalCertificateSelectionCallback = (_, _, _, _, _) => client.Current;
        }

        if (_trusted is { } trusted)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) => IsTrusted(certificate, errors, trusted.Current);
        }
    }

    private bool IsTrusted(X509Certificate? certificate, SslPolicyErrors errors, X509Certificate2Collection roots)
    {
        if (certificate is not X509Certificate2 server || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch) || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            Log.Untrusted(_logger, certificate?.Subject ?? "(none)", errors.ToString());
            return false;
        }

        using var chain = CustomTrust.Chain(roots);
        if (chain.Build(server))
        {
            return true;
        }

        Log.Untrusted(_logger, server.Subject, "its chain does not end at a CA of Edge:Backends:TrustedCaPath");
        return false;
    }

    private static partial class Log
    {
        [LoggerMessage(LogEvents.BackendCertificateRefused, LogLevel.Warning, "Backend server certificate '{Subject}' refused: {Reason}")]
        public static partial void Untrusted(ILogger logger, string subject, string reason);
    }
}
