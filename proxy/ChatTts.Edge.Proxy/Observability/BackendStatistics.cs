using System.Collections.Concurrent;

namespace ChatTts.Edge.Observability;

/// <summary>Per-destination counters for <c>GET /admin/backends</c>, kept from the proxy's start.</summary>
internal sealed class BackendStatistics
{
    private readonly ConcurrentDictionary<string, DestinationCounters> _destinations = new(StringComparer.OrdinalIgnoreCase);

    public DestinationCounters For(string destinationId) => _destinations.GetOrAdd(destinationId, static _ => new DestinationCounters());
}

/// <summary>What one destination did: attempts sent, failures, failures retried elsewhere, recent time to first audio.</summary>
internal sealed class DestinationCounters
{
    private const int RecentSamples = 256;

    private readonly Lock _lock = new();
    private readonly double[] _ttfaMs = new double[RecentSamples];
    private long _requests;
    private long _failures;
    private long _retries;
    private int _next;
    private int _count;

    public long Requests => Interlocked.Read(ref _requests);

    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>Failures on this destination that were retried on another.</summary>
    public long Retries => Interlocked.Read(ref _retries);

    public void Started() => Interlocked.Increment(ref _requests);

    public void Failed() => Interlocked.Increment(ref _failures);

    public void Retried() => Interlocked.Increment(ref _retries);

    /// <summary>Records the time from sending the backend request to its first audio.</summary>
    public void FirstAudio(TimeSpan elapsed)
    {
        lock (_lock)
        {
            _ttfaMs[_next] = elapsed.TotalMilliseconds;
            _next = (_next + 1) % RecentSamples;
            _count = Math.Min(_count + 1, RecentSamples);
        }
    }

    /// <summary>Nearest-rank percentiles of the last <see cref="RecentSamples"/> times to first audio, in milliseconds.</summary>
    public TtfaSummary RecentTtfa()
    {
        double[] samples;
        lock (_lock)
        {
            samples = _ttfaMs[.._count];
        }

        if (samples.Length == 0)
        {
            return new TtfaSummary(0, null, null);
        }

        Array.Sort(samples);
        return new TtfaSummary(samples.Length, Percentile(samples, 0.50), Percentile(samples, 0.99));
    }

    private static double Percentile(double[] sorted, double quantile) =>
        Math.Round(sorted[Math.Max(0, (int)Math.Ceiling(quantile * sorted.Length) - 1)], 1);
}

/// <summary>Recent time to first audio of one destination.</summary>
internal readonly record struct TtfaSummary(int Samples, double? P50Ms, double? P99Ms);
