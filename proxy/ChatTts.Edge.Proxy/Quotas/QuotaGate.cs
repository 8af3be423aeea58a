using System.Globalization;
using Microsoft.Extensions.Options;

namespace ChatTts.Edge.Quotas;

/// <summary>
/// Admits a stream against its caller's plan: one store call checks and charges rate, characters and a stream
/// lease; the answer's <c>RateLimit-*</c> headers go on the response either way. While Redis is down the gate
/// either enforces the plans per replica (<c>FailureMode=Open</c>) or refuses with 503 (<c>Closed</c>), and says
/// so once per outage, not once per request.
/// </summary>
internal sealed partial class QuotaGate(
    IOptionsMonitor<QuotaOptions> options,
    IQuotaStore store,
    MemoryQuotaStore fallback,
    ChatTts.Edge.Observability.EdgeMetrics metrics,
    TimeProvider time,
    ILogger<QuotaGate> logger)
{
    private int _outage;
    private long _outages;

    /// <summary>Outages of the quota store since start (each counted once).</summary>
    public long Outages => Interlocked.Read(ref _outages);

    public async Task<QuotaAdmission> AdmitAsync(HttpContext context, Caller caller, int characters)
    {
        if (caller.MaxCharacters is { } cap && characters > cap)
        {
            return QuotaAdmission.Refused(QuotaProblems.TokenCap(cap));
        }

        var quotas = options.CurrentValue;
        var charge = new QuotaCharge(caller, characters, Guid.NewGuid().ToString("N"), quotas.LeaseTtl);
        var started = time.GetTimestamp();
        var (decision, used) = await CallAsync(s => s.AcquireAsync(charge, context.RequestAborted), quotas.FailureMode);

        // Standard Server-Timing: what the quota check cost this request (browsers' dev tools and load tests read it).
        context.Response.Headers.Append("Server-Timing", string.Create(CultureInfo.InvariantCulture, $"quota;dur={time.GetElapsedTime(started).TotalMilliseconds:0.###}"));
        metrics.QuotaDecided(decision is null ? "unavailable" : decision.Allowed ? "allowed" : QuotaProblems.Name(decision.Refused));
        if (decision is null)
        {
            context.Response.Headers.RetryAfter = "1";
            return QuotaAdmission.Refused(QuotaProblems.StoreUnavailable());
        }

        RateLimitHeaders.Write(context.Response, caller.Plan, decision);
        if (!decision.Allowed)
        {
            Log.Limited(logger, context.TraceIdentifier, caller.KeyId, decision.Refused);
            return QuotaAdmission.Refused(QuotaProblems.Exceeded(decision));
        }

        return QuotaAdmission.Admitted(new QuotaTicket(used, decision.Lease!, time, logger));
    }

    /// <summary>The caller's usage, from the store or (while it is down) from this replica's own counts.</summary>
    public async Task<QuotaUsage?> GetUsageAsync(Caller caller, CancellationToken cancellationToken) =>
        (await CallAsync(s => s.GetUsageAsync(caller, cancellationToken), options.CurrentValue.FailureMode)).Result;

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
        [LoggerMessage(51, LogLevel.Information, "Stream {RequestId}: key {KeyId} is over its {Limit} limit")]
        public static partial void Limited(ILogger logger, string requestId, string keyId, QuotaLimit limit);

        [LoggerMessage(52, LogLevel.Error, "The quota store is unreachable; until it is back, FailureMode {Mode} applies")]
        public static partial void StoreDown(ILogger logger, Exception exception, QuotaFailureMode mode);

        [LoggerMessage(53, LogLevel.Information, "The quota store is reachable again; limits hold across replicas again")]
        public static partial void StoreBack(ILogger logger);
    }
}

/// <summary>A stream's admission: a ticket to hand back when it ends, or the problem to answer with.</summary>
internal readonly record struct QuotaAdmission(QuotaTicket? Ticket, IResult? Problem)
{
    public static QuotaAdmission Admitted(QuotaTicket ticket) => new(ticket, null);

    public static QuotaAdmission Refused(IResult problem) => new(null, problem);
}
