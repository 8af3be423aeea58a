using System.Security.Cryptography.X509Certificates;
using ChatTts.Edge.Security;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace ChatTts.Edge.Backends;

/// <summary>Ready when the certificate files towards the GPUs still load (the proxy's own certificate, the GPUs' CA bundle).</summary>
internal sealed class BackendCertificatesReadyCheck(IOptionsMonitor<BackendTlsOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var tls = options.CurrentValue;
        var problems = new List<string>();
        CertificatesReadyCheck.Check(tls.TrustedCaPath, path => PemFile<X509Certificate2Collection>.LoadBundle(path), problems);
        if (tls.ClientCertificate is { Path: { Length: > 0 } certificate, KeyPath: { Length: > 0 } key })
        {
            CertificatesReadyCheck.Check(certificate, path => X509Certificate2.CreateFromPemFile(path, key).Dispose(), problems);
        }

        return Task.FromResult(CertificatesReadyCheck.Result(problems));
    }
}
