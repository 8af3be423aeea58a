using ChatTts.Edge.LoadTests.Load;
using ChatTts.Edge.LoadTests.Metrics;
using ChatTts.Edge.LoadTests.Reporting;

namespace ChatTts.Edge.LoadTests.Scenarios.Burst;

/// <summary>
/// What a burst should have been allowed, and what was. GCRA (the quota script in Redis) admits <c>Burst</c>
/// requests at once, then one per emission interval (60 s ÷ RequestsPerMinute): under a demand that never lets up,
/// the requests admitted while Redis decided for a span <c>T</c> are <c>Burst + floor(T ÷ interval)</c>. Redis's
/// decisions are not seen from here, so <c>T</c> is bounded from what the clients saw: the first decision came
/// after the first request was sent and before any response, the last after the last request was sent and before
/// the last response. The expected range widens those bounds by one request for the edge (a boundary crossed
/// between two requests, Redis's clock in whole milliseconds).
/// </summary>
/// <param name="Streams">Every request of the run.</param>
/// <param name="SpanMin">The span of Redis's decisions is at least this.</param>
/// <param name="SpanMax">The span of Redis's decisions is at most this.</param>
/// <param name="BackendRequests">Synthesis requests the emulated GPUs received during the load.</param>
/// <param name="ReplicasExited">Proxy replicas that ended by themselves during the run.</param>
internal sealed record BurstFigures(
    IReadOnlyList<StreamOutcome> Streams,
    BurstSettings Settings,
    long FirstRequest,
    TimeSpan SpanMin,
    TimeSpan SpanMax,
    int BackendRequests,
    int ReplicasExited)
{
    /// <summary>The metric names <see cref="Metrics"/> has, for checking thresholds before the run.</summary>
    public static IReadOnlyCollection<string> MetricNames(BurstSettings settings) =>
        [.. Of([], settings, 0, 0, TimeProvider.System).Metrics().All.Select(m => m.Name)];

    public IReadOnlyList<StreamOutcome> Admitted => [.. Streams.Where(s => s.HttpStatus == 200)];

    public int Refused => Streams.Count(s => s.HttpStatus == 429);

    /// <summary>Neither refused with 429 nor a successful stream: another status, an error event, a broken or cut stream.</summary>
    public IReadOnlyList<StreamOutcome> OtherFailures => [.. Streams.Where(s => s.HttpStatus != 429 && !s.Succeeded)];

    public int ExpectedMin => Streams.Count == 0 ? 0
        : (int)Math.Min(Streams.Count, Math.Max(0, Settings.Burst + Math.Floor(SpanMin / Settings.EmissionInterval) - 1));

    public int ExpectedMax => (int)Math.Min(Streams.Count, Settings.Burst + Math.Floor(SpanMax / Settings.EmissionInterval) + 1);

    public static BurstFigures Of(IReadOnlyList<StreamOutcome> streams, BurstSettings settings, int backendRequests, int replicasExited, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(streams);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(time);
        if (streams.Count == 0)
        {
            return new BurstFigures(streams, settings, 0, TimeSpan.Zero, TimeSpan.Zero, backendRequests, replicasExited);
        }

        var first = streams.Min(s => s.StartedAt);
        var decidedBy = streams.Select(s => DecidedBy(s, first, time)).ToList();
        var lastSent = streams.Max(s => time.GetElapsedTime(first, s.StartedAt));
        var spanMin = lastSent - decidedBy.Min();
        return new BurstFigures(streams, settings, first, spanMin > TimeSpan.Zero ? spanMin : TimeSpan.Zero, decidedBy.Max(), backendRequests, replicasExited);
    }

    /// <summary>The latest the proxy can have asked Redis about <paramref name="stream"/>, since the first request was
    /// sent: the response (an admitted stream's headers come with its first audio at the latest).</summary>
    public static TimeSpan DecidedBy(StreamOutcome stream, long first, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(time);
        return stream.HttpStatus == 200 && stream.FirstAudio is { } firstAudio
            ? time.GetElapsedTime(first, stream.StartedAt) + firstAudio
            : time.GetElapsedTime(first, stream.EndedAt);
    }

    public MetricSet Metrics()
    {
        var admitted = Admitted;
        var metrics = new MetricSet()
            .Add("requests", Streams.Count, MetricUnit.Count, MetricDirection.Neither, "requests sent with the key under test")
            .Add("admitted", admitted.Count, MetricUnit.Count, MetricDirection.Neither, "requests answered 200 (the stream opened)")
            .Add("refused_429", Refused, MetricUnit.Count, MetricDirection.Neither, "requests answered 429")
            .Add("refused_429_without_retry_after", Streams.Count(s => s.HttpStatus == 429 && s.RetryAfter is null), MetricUnit.Count,
                MetricDirection.LowerIsBetter, "429 answers without a Retry-After in seconds")
            .Add("expected_admitted_min", ExpectedMin, MetricUnit.Count, MetricDirection.Neither,
                "Burst + floor(shortest possible span of Redis's decisions ÷ interval) − 1")
            .Add("expected_admitted_max", ExpectedMax, MetricUnit.Count, MetricDirection.Neither,
                "Burst + floor(longest possible span of Redis's decisions ÷ interval) + 1")
            .Add("unexpected_429", Math.Max(0, ExpectedMin - admitted.Count), MetricUnit.Count, MetricDirection.LowerIsBetter,
                "requests refused that the plan should have admitted: expected_admitted_min − admitted, when positive")
            .Add("missing_429", Math.Max(0, admitted.Count - ExpectedMax), MetricUnit.Count, MetricDirection.LowerIsBetter,
                "requests admitted beyond the plan: admitted − expected_admitted_max, when positive")
            .Add("other_failures", OtherFailures.Count, MetricUnit.Count, MetricDirection.LowerIsBetter,
                "requests neither refused with 429 nor ending with done and valid audio (another status, an error event, broken, cut)")
            .Add("backend_requests", BackendRequests, MetricUnit.Count, MetricDirection.Neither,
                "synthesis requests the emulated GPUs received during the load (the admitted ones should be all)")
            .Add("invalid_audio", Streams.Count(s => s.AudioProblem is not null), MetricUnit.Count, MetricDirection.LowerIsBetter,
                "streams with a bad WAV chunk, a seq gap or a done that disagrees with the audio")
            .Add("hung", Streams.Count(s => s.Status == StreamStatus.Cut), MetricUnit.Count, MetricDirection.LowerIsBetter,
                "streams still open at the drain timeout after the run (cut)")
            .Add("requests_per_second", SpanMax > TimeSpan.Zero ? Streams.Count / SpanMax.TotalSeconds : 0, MetricUnit.RequestsPerSecond,
                MetricDirection.HigherIsBetter, "requests ÷ the time from the first request to the last response")
            .Add("proxy_exited", ReplicasExited, MetricUnit.Count, MetricDirection.LowerIsBetter, "proxy replicas whose process ended during the run");
        StreamStatistics.AddDistribution(metrics, "quota_check", [.. Streams.Where(s => s.QuotaCheck is not null).Select(s => s.QuotaCheck!.Value)],
            "taken by the proxy's quota check (Redis round trip), from its Server-Timing, of every request", DistributionPercentiles);
        StreamStatistics.AddDistribution(metrics, "admitted_ttfa", [.. admitted.Where(s => s.FirstAudio is not null).Select(s => s.FirstAudio!.Value)],
            "from sending an admitted request to its first audio event", DistributionPercentiles);
        return metrics;
    }

    private static readonly string[] DistributionPercentiles = ["p50", "p99", "max"];
}
