using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace ChatTts.Edge.Security;

/// <summary>Ready when the client CA bundle (<c>Edge:ClientCertificates:TrustedCaPath</c>) still loads.</summary>
internal sealed class CertificatesReadyCheck(IOptionsMonitor<ClientCertificateOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var problems = new List<string>();
        Check(options.CurrentValue.TrustedCaPath, path => PemFile<X509Certificate2Collection>.LoadBundle(path), problems);
        return Task.FromResult(Result(problems));
    }

    /// <summary>Adds a problem when a configured PEM file no longer loads.</summary>
    public static void Check(string? path, Action<string> load, List<string> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        if (path is { Length: > 0 } && !PemFile<object>.Loads(path, load))
        {
            problems.Add($"{path} cannot be loaded");
        }
    }

    public static HealthCheckResult Result(List<string> problems) =>
        problems.Count == 0 ? HealthCheckResult.Healthy("certificates load") : HealthCheckResult.Unhealthy(string.Join("; ", problems));
}
