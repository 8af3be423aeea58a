using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace ChatTts.Edge.Quotas;

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
