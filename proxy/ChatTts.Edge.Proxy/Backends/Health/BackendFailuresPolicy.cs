using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;
using ChatTts.Edge.Hosting;

namespace ChatTts.Edge.Backends.Health;

/// <summary>
/// Passive health for ChatTTS backends (policy name <c>BackendFailures</c>). YARP's <c>TransportFailureRate</c>
/// ignores 5xx answers and only sees requests YARP forwards itself; syntheses are sent by the edge, which reports
/// every outcome here. Connection failures, timeouts, broken streams, 5xx and 429 count; after
/// <c>Metadata:BackendFailures.Threshold</c> consecutive ones (default 2) the destination gets no new work for
/// the cluster's <c>HealthCheck:Passive:ReactivationPeriod</c>. A 503 or 429 carrying <c>Retry-After</c> takes the
/// destination out at once, for as long as the backend asked. A success resets the count.
/// </summary>
internal sealed partial class BackendFailuresPolicy(IDestinationHealthUpdater health, ILogger<BackendFailuresPolicy> logger) : IPassiveHealthCheckPolicy
{
    public const string PolicyName = "BackendFailures";
    public const string ThresholdKey = "BackendFailures.Threshold";
    public const int DefaultThreshold = 2;
    public static readonly TimeSpan DefaultReactivationPeriod = TimeSpan.FromSeconds(30);

    private readonly ConditionalWeakTable<DestinationState, StrongBox<int>> _consecutiveFailures = [];

    public string Name => PolicyName;

    /// <summary>Requests YARP forwards itself (the edge declares no routes; a deployment could add some).</summary>
    public void RequestProxied(HttpContext context, ClusterState cluster, DestinationState destination)
    {
        var status = context.Response.StatusCode;
        if (context.Features.Get<IForwarderErrorFeature>() is not null || status is >= 500 or StatusCodes.Status429TooManyRequests)
        {
            Failed(cluster, destination, retryAfter: null);
        }
        else
        {
            Succeeded(cluster, destination);
        }
    }

    /// <summary>A synthesis on <paramref name="destination"/> delivered all of its audio.</summary>
    public void Succeeded(ClusterState cluster, DestinationState destination)
    {
        if (IsEnabled(cluster, out _))
        {
            Interlocked.Exchange(ref _consecutiveFailures.GetOrCreateValue(destination).Value, 0);
        }
    }

    /// <summary>A synthesis on <paramref name="destination"/> failed; failures that say nothing of its health are ignored.</summary>
    public void Failed(ClusterState cluster, DestinationState destination, BackendException failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        if (failure.IsTransient)
        {
            Failed(cluster, destination, failure.StatusCode is HttpStatusCode.ServiceUnavailable or HttpStatusCode.TooManyRequests ? failure.RetryAfter : null);
        }
    }

    private void Failed(ClusterState cluster, DestinationState destination, TimeSpan? retryAfter)
    {
        if (!IsEnabled(cluster, out var reactivation))
        {
            return;
        }

        var count = _consecutiveFailures.GetOrCreateValue(destination);
        var failures = Interlocked.Increment(ref count.Value);
        if (failures >= Threshold(cluster))
        {
            // Back from its reactivation period, it gets the full threshold again before being taken out again. A
            // backend that asked to be left alone for longer is left alone for as long as it asked.
            Interlocked.Exchange(ref count.Value, 0);
            var period = retryAfter > reactivation ? retryAfter.Value : reactivation;
            Log.TakenOut(logger, destination.DestinationId, failures, period.TotalSeconds);
            health.SetPassive(cluster, destination, DestinationHealth.Unhealthy, period);
        }
        else if (retryAfter is { } wait && wait > TimeSpan.Zero)
        {
            // RetryAfter.FromHeader bounds it already.
            Log.BackedOff(logger, destination.DestinationId, wait.TotalSeconds);
            health.SetPassive(cluster, destination, DestinationHealth.Unhealthy, wait);
        }
    }

    private static bool IsEnabled(ClusterState cluster, out TimeSpan reactivation)
    {
        var passive = cluster.Model.Config.HealthCheck?.Passive;
        reactivation = passive?.ReactivationPeriod ?? DefaultReactivationPeriod;
        return passive is { Enabled: true } && string.Equals(passive.Policy ?? PolicyName, PolicyName, StringComparison.OrdinalIgnoreCase);
    }

    private static int Threshold(ClusterState cluster) =>
        cluster.Model.Config.Metadata?.GetValueOrDefault(ThresholdKey) is { } raw
        && int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var threshold) && threshold >= 1
            ? threshold
            : DefaultThreshold;

    private static partial class Log
    {
        [LoggerMessage(LogEvents.BackendTakenOut, LogLevel.Warning, "Backend {Backend} failed {Failures} times in a row; it gets no new work for {Seconds:0.#} s")]
        public static partial void TakenOut(ILogger logger, string backend, int failures, double seconds);

        [LoggerMessage(LogEvents.BackendBackedOff, LogLevel.Information, "Backend {Backend} is busy and asked to be left alone for {Seconds:0.#} s")]
        public static partial void BackedOff(ILogger logger, string backend, double seconds);
    }
}
