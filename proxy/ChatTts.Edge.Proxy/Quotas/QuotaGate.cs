using ChatTts.Edge.Callers;
using ChatTts.Edge.Hosting;
using ChatTts.Edge.Observability;
using Microsoft.Extensions.Options;

namespace ChatTts.Edge.Quotas;

/// <summary>
/// Admits a stream against its caller's plan: one store call checks and charges rate, characters and a stream
/// lease. While Redis is down the gate either enforces the plans per replica (<c>FailureMode=Open</c>) or refuses
/// (<c>Closed</c>), and says so once per outage, not once per request. It speaks no HTTP: the API turns its answers
/// into headers and statuses.
/// </summary>
internal sealed partial class QuotaGate(
    IOptionsMonitor<QuotaOptions> options,
    IQuotaStore store,
    MemoryQuotaStore fallback,
    EdgeMetrics metrics,
    TimeProvider time,
    ILogger<QuotaGate> logger)
{
    private int _outage;
    private long _outages;

    /// <summary>Outages of the quota store since start (each counted once).</summary>
    public long Outages => Interlocked.Read(ref _outages);

    /// <summary>The caller and the plan it is charged to.</summary>
    public QuotaAccount Account(Caller caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return options.CurrentValue.Plans.TryGetValue(caller.PlanName, out var plan)
            ? new QuotaAccount(caller.KeyId, plan)
            : throw new InvalidOperationException($"The plan '{caller.PlanName}' of '{caller.KeyId}' is not configured.");
    }

    /// <summary>Charges a request to the caller's plan (span <c>quota.check</c>).</summary>
    public async Task<QuotaAdmission> AdmitAsync(Caller caller, int characters, string requestId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        using var activity = EdgeTracing.Source.StartActivity(EdgeTracing.QuotaCheck);
        var admission = await ChargeAsync(caller, characters, requestId, cancellationToken);
        activity?.SetTag(EdgeTracing.QuotaVerdict, admission.Verdict.ToString());
        return admission;
    }

    private async Task<QuotaAdmission> ChargeAsync(Caller caller, int characters, string requestId, CancellationToken cancellationToken)
    {
        if (caller.MaxCharacters is { } cap && characters > cap)
        {
            return new QuotaAdmission(QuotaVerdict.OverTokenCap, null, null, null, TimeSpan.Zero) { TokenCap = cap };
        }

        var account = Account(caller);
        var charge = new QuotaCharge(account, characters, Guid.NewGuid().ToString("N"), options.CurrentValue.LeaseTtl);
        var started = time.GetTimestamp();
        var (decision, used) = await CallAsync(s => s.AcquireAsync(charge, cancellationToken), options.CurrentValue.FailureMode);
        var took = time.GetElapsedTime(started);
        metrics.QuotaDecided(decision is null ? "unavailable" : decision.Allowed ? "allowed" : QuotaDecision.Name(decision.Refused));
        if (decision is null)
        {
            return new QuotaAdmission(QuotaVerdict.StoreUnavailable, null, null, account.Plan, took);
        }

        if (!decision.Allowed)
        {
            Log.Limited(logger, requestId, caller.KeyId, decision.Refused);
            return new QuotaAdmission(QuotaVerdict.Limited, null, decision, account.Plan, took);
        }

        return new QuotaAdmission(QuotaVerdict.Admitted, new QuotaTicket(used, decision.Lease!, time, logger), decision, account.Plan, took);
    }

    /// <summary>The caller's usage, from the store or (while it is down) from this replica's own counts; null when it cannot be read.</summary>
    public async Task<QuotaUsage?> GetUsageAsync(QuotaAccount account, CancellationToken cancellationToken) =>
        (await CallAsync(s => s.GetUsageAsync(account, cancellationToken), options.CurrentValue.FailureMode)).Result;

    private async Task<(T? Result, IQuotaStore Store)> CallAsync<T>(Func<IQuotaStore, Task<T>> call, QuotaFailureMode mode)
        where T : class
    {
        try
        {
            var result = await call(store);
            if (Interlocked.Exchange(ref _outage, 0) == 1)
            {
                Log.StoreBack(logger);
            }

            return (result, store);
        }
        catch (QuotaStoreUnavailableException ex)
        {
            if (Interlocked.Exchange(ref _outage, 1) == 0)
            {
                Interlocked.Increment(ref _outages);
                Log.StoreDown(logger, ex, mode);
            }

            return mode == QuotaFailureMode.Open ? (await call(fallback), fallback) : (null, store);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(LogEvents.QuotaLimited, LogLevel.Information, "Stream {RequestId}: key {KeyId} is over its {Limit} limit")]
        public static partial void Limited(ILogger logger, string requestId, string keyId, QuotaLimit limit);

        [LoggerMessage(LogEvents.QuotaStoreDown, LogLevel.Error, "The quota store is unreachable; until it is back, FailureMode {Mode} applies")]
        public static partial void StoreDown(ILogger logger, Exception exception, QuotaFailureMode mode);

        [LoggerMessage(LogEvents.QuotaStoreBack, LogLevel.Information, "The quota store is reachable again; limits hold across replicas again")]
        public static partial void StoreBack(ILogger logger);
    }
}

/// <summary>How a stream's admission went.</summary>
internal enum QuotaVerdict
{
    /// <summary>Charged: the ticket is handed back when the stream ends.</summary>
    Admitted,

    /// <summary>Over one of the plan's limits (<see cref="QuotaDecision.Refused"/> says which).</summary>
    Limited,

    /// <summary>The text is longer than the browser token's per-request cap.</summary>
    OverTokenCap,

    /// <summary>The quota store is down and <c>FailureMode=Closed</c> refuses.</summary>
    StoreUnavailable,
}

/// <summary>A stream's admission, and what the API reports of it (<c>RateLimit-*</c>, <c>Server-Timing</c>).</summary>
/// <param name="Ticket">For an admitted stream: the lease to hand back when it ends.</param>
/// <param name="Decision">The store's answer (null when there was none).</param>
/// <param name="Plan">The plan the caller is charged to.</param>
/// <param name="CheckTook">What the store call cost.</param>
internal sealed record QuotaAdmission(QuotaVerdict Verdict, QuotaTicket? Ticket, QuotaDecision? Decision, QuotaPlan? Plan, TimeSpan CheckTook)
{
    /// <summary>For <see cref="QuotaVerdict.OverTokenCap"/>: the token's cap on the characters of one request.</summary>
    public int TokenCap { get; init; }
}
