using System.Collections.Concurrent;
using System.Threading.RateLimiting;

namespace ChatTts.Edge.Quotas;

/// <summary>
/// Quota state in this process, with System.Threading.RateLimiting: a token bucket per key for the rate, a
/// concurrency limiter per key for streams, a counter per key and UTC day for characters. The store of the demo
/// and of single instances, and the per-replica fallback while Redis is down (<c>FailureMode=Open</c>).
/// </summary>
internal sealed class MemoryQuotaStore(TimeProvider time) : IQuotaStore, IDisposable
{
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);

    private readonly ConcurrentDictionary<string, KeyState> _keys = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, RateLimitLease> _streams = new(StringComparer.Ordinal);

    public Task<QuotaDecision> AcquireAsync(QuotaCharge charge, CancellationToken cancellationToken)
    {
        var plan = charge.Account.Plan;
        var state = State(charge.Account);
        var (day, toNextDay) = Today();
        lock (state)
        {
            var used = state.Day == day ? state.CharactersUsed : 0;
            if (plan.CharactersPerDay is { } perDay && used + charge.Characters > perDay)
            {
                return Task.FromResult(new QuotaDecision(QuotaLimit.Characters, toNextDay, Usage(state, used, toNextDay), null));
            }

            var stream = state.Streams?.AttemptAcquire();
            if (stream is { IsAcquired: false })
            {
                stream.Dispose();
                return Task.FromResult(new QuotaDecision(QuotaLimit.Concurrency, TimeSpan.FromSeconds(1), Usage(state, used, toNextDay), null));
            }

            using var rate = state.Rate?.AttemptAcquire();
            if (rate is { IsAcquired: false })
            {
                stream?.Dispose();
                var retryAfter = rate.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : plan.EmissionInterval;
                return Task.FromResult(new QuotaDecision(QuotaLimit.Rate, retryAfter, Usage(state, used, toNextDay), null));
            }

            state.Day = day;
            state.CharactersUsed = used + charge.Characters;
            if (stream is not null)
            {
                _streams[charge.LeaseId] = stream;
            }

            var lease = new QuotaLeaseId(charge.Account, charge.LeaseId, charge.Characters, day, charge.LeaseTtl);
            return Task.FromResult(new QuotaDecision(QuotaLimit.None, TimeSpan.Zero, Usage(state, state.CharactersUsed, toNextDay), lease));
        }
    }

    /// <summary>Leases here live as long as the process; nothing expires.</summary>
    public Task<bool> RenewAsync(QuotaLeaseId lease, CancellationToken cancellationToken) => Task.FromResult(true);

    public Task ReleaseAsync(QuotaLeaseId lease, bool refundCharacters, CancellationToken cancellationToken)
    {
        if (_streams.TryRemove(lease.LeaseId, out var stream))
        {
            stream.Dispose();
        }

        if (refundCharacters)
        {
            var state = State(lease.Account);
            lock (state)
            {
                if (state.Day == lease.Day)
                {
                    state.CharactersUsed = Math.Max(0, state.CharactersUsed - lease.Characters);
                }
            }
        }

        return Task.CompletedTask;
    }

    public Task<QuotaUsage> GetUsageAsync(QuotaAccount account, CancellationToken cancellationToken)
    {
        var state = State(account);
        var (day, toNextDay) = Today();
        lock (state)
        {
            return Task.FromResult(Usage(state, state.Day == day ? state.CharactersUsed : 0, toNextDay));
        }
    }

    public void Dispose()
    {
        foreach (var state in _keys.Values)
        {
            state.Rate?.Dispose();
            state.Streams?.Dispose();
        }
    }

    private (long Day, TimeSpan ToNextDay) Today()
    {
        var now = time.GetUtcNow();
        return (now.UtcTicks / Day.Ticks, now.UtcDateTime.Date.AddDays(1) - now.UtcDateTime);
    }

    private static QuotaUsage Usage(KeyState state, long charactersUsed, TimeSpan toNextDay)
    {
        var available = state.Rate?.GetStatistics()?.CurrentAvailablePermits;
        var reset = available is { } permits ? state.Interval * (state.Burst - permits) : TimeSpan.Zero;
        var streams = state.Streams is { } limiter ? state.StreamLimit - (limiter.GetStatistics()?.CurrentAvailablePermits ?? state.StreamLimit) : 0;
        return new QuotaUsage(available, reset, charactersUsed, toNextDay, streams);
    }

    /// <summary>One state per key and plan (a changed plan starts afresh).</summary>
    private KeyState State(QuotaAccount account)
    {
        var plan = account.Plan;
        var id = $"{account.KeyId}|{plan.RequestsPerMinute}|{plan.EffectiveBurst}|{plan.ConcurrentStreams}";
        return _keys.GetOrAdd(id, static (_, plan) => new KeyState(plan), plan);
    }

    private sealed class KeyState
    {
        public KeyState(QuotaPlan plan)
        {
            Interval = plan.EmissionInterval;
            Burst = plan.EffectiveBurst;
            StreamLimit = plan.ConcurrentStreams ?? 0;
            if (Interval > TimeSpan.Zero)
            {
                Rate = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
                {
                    TokenLimit = Burst,
                    TokensPerPeriod = 1,
                    ReplenishmentPeriod = Interval,
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            }

            if (StreamLimit > 0)
            {
                Streams = new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = StreamLimit, QueueLimit = 0 });
            }
        }

        public TimeSpan Interval { get; }

        public int Burst { get; }

        public int StreamLimit { get; }

        public TokenBucketRateLimiter? Rate { get; }

        public ConcurrencyLimiter? Streams { get; }

        public long Day { get; set; }

        public long CharactersUsed { get; set; }
    }
}
