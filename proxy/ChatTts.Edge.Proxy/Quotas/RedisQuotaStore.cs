using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace ChatTts.Edge.Quotas;

/// <summary>
/// Quota state in Redis: one script call per request (<see cref="QuotaScripts"/>). This is the only class that
/// touches StackExchange.Redis: the registry serves only 1.2.6 (2.x and 3.x do not restore), so moving to 2.x is a
/// version bump here. The connection reconnects by itself; while it is down every call fails fast with
/// <see cref="QuotaStoreUnavailableException"/> instead of waiting for a timeout.
/// </summary>
internal sealed class RedisQuotaStore : IQuotaStore, IDisposable
{
    private static readonly TimeSpan OperationTimeout = TimeSpan.FromSeconds(1);
    private readonly Task<ConnectionMultiplexer> _connection;

    public RedisQuotaStore(IOptions<QuotaOptions> options)
    {
        var configuration = ConfigurationOptions.Parse(options.Value.Redis ?? throw new InvalidOperationException("Edge:Quotas:Redis is not set."));
        configuration.AbortOnConnectFail = false; // start (and keep running) while Redis is down; reconnect in the background
        configuration.ConnectTimeout = (int)OperationTimeout.TotalMilliseconds;
        configuration.SyncTimeout = (int)OperationTimeout.TotalMilliseconds;
        configuration.ResponseTimeout = (int)OperationTimeout.TotalMilliseconds;
        configuration.ConnectRetry = 1;
        _connection = ConnectAsync(configuration);
    }

    private static async Task<ConnectionMultiplexer> ConnectAsync(ConfigurationOptions configuration)
    {
        var connection = await ConnectionMultiplexer.ConnectAsync(configuration);

        // 1.x completes awaited calls in order on one thread by default, which queues every caller behind the
        // slowest; the scripts' answers are independent, so let them complete as they come (2.x does this anyway).
        connection.PreserveAsyncOrder = false;
        return connection;
    }

    /// <summary>Completes once the first connection attempt has succeeded or failed (it goes on in the background).</summary>
    public Task ConnectAsync() => _connection;

    /// <summary>True while the connection to Redis is up.</summary>
    public bool IsConnected => _connection.IsCompletedSuccessfully && _connection.Result.IsConnected;

    public async Task<QuotaDecision> AcquireAsync(QuotaCharge charge, CancellationToken cancellationToken)
    {
        var plan = charge.Caller.Plan;
        var result = await RunAsync(QuotaScripts.Acquire, charge.Caller,
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
        var lease = refused == QuotaLimit.None ? new QuotaLeaseId(charge.Caller, charge.LeaseId, charge.Characters, (long)result[5], charge.LeaseTtl) : null;
        return new QuotaDecision(refused, TimeSpan.FromMilliseconds((long)result[1]), usage, lease);
    }

    public async Task<bool> RenewAsync(QuotaLeaseId lease, CancellationToken cancellationToken) =>
        (long)(await RunScalarAsync(QuotaScripts.Renew, lease.Caller, [lease.LeaseId, (long)lease.LeaseTtl.TotalMilliseconds])) == 1;

    public Task ReleaseAsync(QuotaLeaseId lease, bool refundCharacters, CancellationToken cancellationToken) =>
        RunScalarAsync(QuotaScripts.Release, lease.Caller, [lease.LeaseId, refundCharacters ? lease.Characters : 0, lease.Day]);

    public async Task<QuotaUsage> GetUsageAsync(Caller caller, CancellationToken cancellationToken) =>
        Usage(await RunAsync(QuotaScripts.Usage, caller, [caller.Plan.EmissionInterval.TotalMilliseconds, caller.Plan.EffectiveBurst]));

    public void Dispose()
    {
        if (_connection.IsCompletedSuccessfully)
        {
            _connection.Result.Dispose();
        }
    }

    /// <summary>The three keys of one API key, in one hash slot.</summary>
    internal static RedisKey[] KeysOf(Caller caller) =>
        [$"edge:{{{caller.KeyId}}}:rate", $"edge:{{{caller.KeyId}}}:chars", $"edge:{{{caller.KeyId}}}:streams"];

    private static QuotaUsage Usage(RedisResult[] result) => new(
        (long)result[2] < 0 ? null : (long)result[2],
        TimeSpan.FromMilliseconds((long)result[3]),
        (long)result[4],
        TimeSpan.FromMilliseconds((long)result[7]),
        (long)result[6]);

    private async Task<RedisResult[]> RunAsync(string script, Caller caller, RedisValue[] arguments) =>
        (RedisResult[])(await RunScalarAsync(script, caller, arguments))!;

    private async Task<RedisResult> RunScalarAsync(string script, Caller caller, RedisValue[] arguments)
    {
        // Never wait for a connection: while there is none, the gate falls back (or refuses) at once.
        if (!_connection.IsCompletedSuccessfully || _connection.Result is not { IsConnected: true } connection)
        {
            throw new QuotaStoreUnavailableException("Redis is unreachable.");
        }

        try
        {
            return await connection.GetDatabase().ScriptEvaluateAsync(script, KeysOf(caller), arguments);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            throw new QuotaStoreUnavailableException("Redis did not answer.", ex);
        }
    }
}
