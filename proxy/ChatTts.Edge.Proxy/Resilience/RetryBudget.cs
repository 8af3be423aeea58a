using Microsoft.Extensions.Options;

namespace ChatTts.Edge.Resilience;

/// <summary>
/// Bounds retries to a share of recent requests (<c>Edge:Retry:BudgetPercent</c> over a sliding window of
/// <see cref="RetryDefaults.BudgetWindow"/>, never below <see cref="RetryDefaults.MinRetriesPerWindow"/>), so that
/// when the whole fleet fails every request is tried about once instead of <c>MaxAttempts</c> times.
/// </summary>
internal sealed class RetryBudget(IOptionsMonitor<RetryOptions> options, TimeProvider time)
{
    private const int Buckets = 10;
    private readonly Lock _lock = new();
    private readonly (long Slot, int Requests, int Retries)[] _buckets = new (long, int, int)[Buckets];

    /// <summary>Counts one request (not a retry).</summary>
    public void RequestStarted()
    {
        lock (_lock)
        {
            Current().Requests++;
        }
    }

    /// <summary>Takes one retry from the budget, or returns false when it is spent.</summary>
    public bool TryRetry()
    {
        var percent = options.CurrentValue.BudgetPercent;
        if (percent <= 0)
        {
            return false;
        }

        lock (_lock)
        {
            ref var current = ref Current();
            var oldest = current.Slot - Buckets + 1;
            int requests = 0, retries = 0;
            foreach (var bucket in _buckets)
            {
                if (bucket.Slot >= oldest)
                {
                    requests += bucket.Requests;
                    retries += bucket.Retries;
                }
            }

            if (retries >= Math.Max(RetryDefaults.MinRetriesPerWindow, requests * percent / 100))
            {
                return false;
            }

            current.Retries++;
            return true;
        }
    }

    private ref (long Slot, int Requests, int Retries) Current()
    {
        var slot = time.GetTimestamp() / (time.TimestampFrequency * RetryDefaults.BudgetWindow.Ticks / TimeSpan.TicksPerSecond / Buckets);
        ref var bucket = ref _buckets[slot % Buckets];
        if (bucket.Slot != slot)
        {
            bucket = (slot, 0, 0);
        }

        return ref bucket;
    }
}
