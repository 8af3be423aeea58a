using ChatTts.Edge.Redis;
using StackExchange.Redis;

namespace ChatTts.Edge.Quotas;

/// <summary>
/// Quota state in Redis: one script call per request (<see cref="QuotaScripts"/>), over the edge's
/// <see cref="RedisConnection"/>, whose deadlines turn a Redis that is down or does not answer in time into
/// <see cref="QuotaStoreUnavailableException"/> at once.
/// </summary>
internal sealed class RedisQuotaStore(RedisConnection redis) : IQuotaStore
{
    /// <summary>True when Redis answers a <c>PING</c> within the deadline (a probe that can end an outage).</summary>
    public async Task<bool> PingAsync()
    {
        try
        {
            await redis.RunAsync(database => database.PingAsync());
            return true;
        }
        catch (RedisUnavailableException)
        {
            return false;
        }
    }

    public async Task<QuotaDecision> AcquireAsync(QuotaCharge charge, CancellationToken cancellationToken)
    {
        var plan = charge.Account.Plan;
        var result = await RunAsync(QuotaScripts.Acquire, charge.Account,
        [
            plan.EmissionInterval.TotalMilliseconds,
            plan.EffectiveBurst,
            charge.Characters,
            plan.CharactersPerDay ?? 0,
            plan.ConcurrentStreams ?? 0,
            charge.LeaseId,
            (long)charge.LeaseTtl.TotalMilliseconds,
        ]);
        var refused = (QuotaLimit)(long)result[0];
        var usage = Usage(result);
        var lease = refused == QuotaLimit.None ? new QuotaLeaseId(charge.Account, charge.LeaseId, charge.Characters, (long)result[5], charge.LeaseTtl) : null;
        return new QuotaDecision(refused, TimeSpan.FromMilliseconds((long)result[1]), usage, lease);
    }

    public async Task<bool> RenewAsync(QuotaLeaseId lease, CancellationToken cancellationToken) =>
        (long)(await RunScalarAsync(QuotaScripts.Renew, lease.Account, [lease.LeaseId, (long)lease.LeaseTtl.TotalMilliseconds])) == 1;

    public Task ReleaseAsync(QuotaLeaseId lease, bool refundCharacters, CancellationToken cancellationToken) =>
        RunScalarAsync(QuotaScripts.Release, lease.Account, [lease.LeaseId, refundCharacters ? lease.Characters : 0, lease.Day]);

    public async Task<QuotaUsage> GetUsageAsync(QuotaAccount account, CancellationToken cancellationToken) =>
        Usage(await RunAsync(QuotaScripts.Usage, account, [account.Plan.EmissionInterval.TotalMilliseconds, account.Plan.EffectiveBurst]));

    /// <summary>The three keys of one API key, in one hash slot.</summary>
    internal static RedisKey[] KeysOf(QuotaAccount account) =>
        [$"edge:{{{account.KeyId}}}:rate", $"edge:{{{account.KeyId}}}:chars", $"edge:{{{account.KeyId}}}:streams"];

    private static QuotaUsage Usage(RedisResult[] result) => new(
        (long)result[2] < 0 ? null : (long)result[2],
        TimeSpan.FromMilliseconds((long)result[3]),
        (long)result[4],
        TimeSpan.FromMilliseconds((long)result[7]),
        (long)result[6]);

    private async Task<RedisResult[]> RunAsync(string script, QuotaAccount account, RedisValue[] arguments) =>
        (RedisResult[])(await RunScalarAsync(script, account, arguments))!;

    private async Task<RedisResult> RunScalarAsync(string script, QuotaAccount account, RedisValue[] arguments)
    {
        try
        {
            return await redis.RunAsync(database => database.ScriptEvaluateAsync(script, KeysOf(account), arguments));
        }
        catch (RedisUnavailableException ex)
        {
            throw new QuotaStoreUnavailableException(ex.Message, ex);
        }
    }
}
