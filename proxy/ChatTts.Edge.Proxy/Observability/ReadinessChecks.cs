using ChatTts.Edge.Backends;
using ChatTts.Edge.Quotas;
using ChatTts.Edge.Security;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy;

namespace ChatTts.Edge.Observability;

/// <summary>Ready when at least one ChatTTS backend can take work (healthy or not yet probed, not draining).</summary>
internal sealed class BackendsReadyCheck(IProxyStateLookup proxy, BackendSelector backends) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var configured = proxy.TryGetCluster(BackendMetadata.ClusterId, out var cluster) ? cluster.Destinations.Count : 0;
        var capacity = backends.Capacity();
        return Task.FromResult(capacity > 0
            ? HealthCheckResult.Healthy($"{cluster!.DestinationsState.AvailableDestinations.Count} of {configured} backends available ({capacity} synthesis slots)")
            : HealthCheckResult.Unhealthy(configured == 0 ? "no backend is configured" : $"none of {configured} backends is available"));
    }
}

/// <summary>
/// Ready when the quota store answers; while Redis is unreachable, degraded (still ready) under
/// <c>FailureMode=Open</c> and unhealthy under <c>Closed</c>, which refuses every stream.
/// </summary>
internal sealed class QuotaStoreReadyCheck(IOptionsMonitor<QuotaOptions> options, IServiceProvider services) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var quotas = options.CurrentValue;
        if (quotas.Store != QuotaStoreKind.Redis)
        {
            return HealthCheckResult.Healthy("quotas are kept in memory");
        }

        if (await services.GetRequiredService<RedisQuotaStore>().PingAsync())
        {
            return HealthCheckResult.Healthy("Redis is reachable");
        }

        return quotas.FailureMode == QuotaFailureMode.Open
            ? HealthCheckResult.Degraded("Redis is unreachable or does not answer in time; plans are enforced per replica (FailureMode=Open)")
            : HealthCheckResult.Unhealthy("Redis is unreachable or does not answer in time, and FailureMode=Closed refuses every stream");
    }
}

/// <summary>Ready when every configured certificate file still loads (client CA bundle, the proxy's outbound certificate, GPU CA bundle).</summary>
internal sealed class CertificatesReadyCheck(IOptionsMonitor<ClientCertificateOptions> inbound, IOptionsMonitor<BackendTlsOptions> outbound) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var problems = new List<string>();
        Check(inbound.CurrentValue.TrustedCaPath, path => PemFile<System.Security.Cryptography.X509Certificates.X509Certificate2Collection>.LoadBundle(path), problems);
        Check(outbound.CurrentValue.TrustedCaPath, path => PemFile<System.Security.Cryptography.X509Certificates.X509Certificate2Collection>.LoadBundle(path), problems);
        if (outbound.CurrentValue.ClientCertificate is { Path: { Length: > 0 } certificate, KeyPath: { Length: > 0 } key })
        {
            Check(certificate, path => System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(path, key).Dispose(), problems);
        }

        return Task.FromResult(problems.Count == 0 ? HealthCheckResult.Healthy("certificates load") : HealthCheckResult.Unhealthy(string.Join("; ", problems)));
    }

    private static void Check(string? path, Action<string> load, List<string> problems)
    {
        if (path is { Length: > 0 } && !PemFile<object>.Loads(path, load))
        {
            problems.Add($"{path} cannot be loaded");
        }
    }
}
