using System.Diagnostics;
using System.Diagnostics.Metrics;
using ChatTts.Edge.Admission;
using ChatTts.Edge.Backends;
using Yarp.ReverseProxy;

namespace ChatTts.Edge.Observability;

/// <summary>
/// The edge's instruments, on the meter <c>ChatTts.Edge</c> (names and units after the OpenTelemetry semantic
/// conventions: dotted lowercase names, seconds for durations, UCUM annotations for counts). Exported over OTLP
/// when an endpoint is configured and served at <c>GET /metrics</c> in Prometheus text format.
/// </summary>
internal sealed class EdgeMetrics
{
    public const string MeterName = "ChatTts.Edge";

    private readonly Histogram<double> _timeToFirstAudio;
    private readonly Histogram<double> _streamDuration;
    private readonly Counter<long> _streams;
    private readonly Counter<double> _audio;
    private readonly Counter<long> _characters;
    private readonly UpDownCounter<long> _active;
    private readonly Histogram<double> _queueWait;
    private readonly Counter<long> _retries;
    private readonly Counter<long> _backendFailures;
    private readonly Counter<long> _quotaDecisions;
    private readonly Counter<long> _cacheLookups;

    public EdgeMetrics(IMeterFactory meters, IAdmissionControl queue, BackendActivity activity, IProxyStateLookup proxy)
    {
        var meter = Meter = meters.Create(MeterName);
        _timeToFirstAudio = meter.CreateHistogram<double>("chattts.edge.stream.time_to_first_audio", "s", "Time from the request to its first audio event");
        _streamDuration = meter.CreateHistogram<double>("chattts.edge.stream.duration", "s", "Time from the request to the end of its stream");
        _streams = meter.CreateCounter<long>("chattts.edge.streams", "{stream}", "Streams by outcome (done, error:<code>, http_<status>, client_gone)");
        _audio = meter.CreateCounter<double>("chattts.edge.audio.duration", "s", "Seconds of audio served");
        _characters = meter.CreateCounter<long>("chattts.edge.characters", "{character}", "Characters of text spoken (streams that sent audio)");
        _active = meter.CreateUpDownCounter<long>("chattts.edge.streams.active", "{stream}", "Streams open now");
        _queueWait = meter.CreateHistogram<double>("chattts.edge.queue.wait", "s", "Time a synthesis attempt waited for a GPU slot");
        _retries = meter.CreateCounter<long>("chattts.edge.retries", "{retry}", "Syntheses retried on another backend");
        _backendFailures = meter.CreateCounter<long>("chattts.edge.backend.failures", "{failure}", "Failed backend attempts by backend and kind");
        _quotaDecisions = meter.CreateCounter<long>("chattts.edge.quota.decisions", "{decision}", "Quota checks by outcome (allowed, rate, characters, concurrency, unavailable)");
        _cacheLookups = meter.CreateCounter<long>("chattts.edge.cache.lookups", "{lookup}", "Replay cache lookups of seeded requests by result (hit, miss)");
        meter.CreateObservableGauge("chattts.edge.queue.length", () => queue.Length, "{request}", "Requests waiting for a GPU slot");
        meter.CreateObservableGauge("chattts.edge.backend.in_flight", () => PerDestination(proxy, activity.InFlight), "{synthesis}", "Syntheses running per backend (finishing ones included)");
        meter.CreateObservableGauge("chattts.edge.backend.finishing", () => PerDestination(proxy, activity.Finishing), "{synthesis}", "Syntheses per backend that the edge abandoned while the GPU may still compute them");
        meter.CreateObservableGauge("chattts.edge.backend.available", () => Availability(proxy), "1", "1 when a backend can take work (healthy or not yet probed), 0 otherwise");
    }

    /// <summary>This application's meter (tests run several applications in one process).</summary>
    public Meter Meter { get; }

    public void StreamStarted() => _active.Add(1);

    public void StreamEnded(string outcome, TimeSpan duration, TimeSpan? timeToFirstAudio, double audioSeconds, int characters)
    {
        _active.Add(-1);
        var tag = new KeyValuePair<string, object?>("outcome", outcome);
        _streams.Add(1, tag);
        _streamDuration.Record(duration.TotalSeconds, tag);
        if (timeToFirstAudio is { } ttfa)
        {
            _timeToFirstAudio.Record(ttfa.TotalSeconds);
            _audio.Add(audioSeconds);
            _characters.Add(characters);
        }
    }

    public void QueueWaited(TimeSpan wait) => _queueWait.Record(wait.TotalSeconds);

    public void Retried() => _retries.Add(1);

    public void BackendFailed(string backend, BackendFailureKind kind) =>
        _backendFailures.Add(1, new KeyValuePair<string, object?>("backend", backend), new KeyValuePair<string, object?>("kind", kind.ToString().ToLowerInvariant()));

    public void CacheLookedUp(bool hit) => _cacheLookups.Add(1, new KeyValuePair<string, object?>("result", hit ? "hit" : "miss"));

    public void QuotaDecided(string outcome) => _quotaDecisions.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    private static IEnumerable<Measurement<int>> PerDestination(IProxyStateLookup proxy, Func<string, int> value)
    {
        if (proxy.TryGetCluster(BackendMetadata.ClusterId, out var cluster))
        {
            foreach (var id in cluster.Destinations.Keys)
            {
                yield return new Measurement<int>(value(id), new TagList { { "backend", id } });
            }
        }
    }

    private static IEnumerable<Measurement<int>> Availability(IProxyStateLookup proxy)
    {
        if (!proxy.TryGetCluster(BackendMetadata.ClusterId, out var cluster))
        {
            yield break;
        }

        var available = cluster.DestinationsState.AvailableDestinations;
        foreach (var (id, destination) in cluster.Destinations)
        {
            yield return new Measurement<int>(available.Contains(destination) ? 1 : 0, new TagList { { "backend", id } });
        }
    }
}
