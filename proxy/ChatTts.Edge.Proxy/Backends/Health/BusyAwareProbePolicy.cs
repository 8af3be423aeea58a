using System.Globalization;
using System.Runtime.CompilerServices;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;
using ChatTts.Edge.Hosting;

namespace ChatTts.Edge.Backends.Health;

/// <summary>
/// Active health for ChatTTS backends (policy name <c>BusyAwareConsecutiveFailures</c>): YARP's
/// <c>ConsecutiveFailures</c> rule — a destination is unhealthy after
/// <c>Metadata:ConsecutiveFailuresHealthPolicy.Threshold</c> failed probes in a row (default 2), healthy again after a
/// passing one — except that a probe that fails while the edge has a synthesis on that GPU says nothing. A ChatTTS
/// process that runs its model on its event loop (2noise's <c>openai_api.py</c>) does not answer its health path
/// while it synthesizes; the audio it is streaming is the better sign of life, and passive health still counts real
/// failures. Idle GPUs are judged by their probes alone.
/// </summary>
internal sealed partial class BusyAwareProbePolicy(BackendActivity activity, IDestinationHealthUpdater health, ILogger<BusyAwareProbePolicy> logger) : IActiveHealthCheckPolicy
{
    public const string PolicyName = "BusyAwareConsecutiveFailures";

    /// <summary>YARP's own active policy of that rule, which the edge replaces (<see cref="BackendConfigFilter"/>).</summary>
    public const string ReplacedPolicyName = "ConsecutiveFailures";

    public const string ThresholdKey = "ConsecutiveFailuresHealthPolicy.Threshold";
    public const int DefaultThreshold = 2;

    /// <summary>YARP's probe timeout when the cluster sets none.</summary>
    private static readonly TimeSpan DefaultProbeTimeout = TimeSpan.FromSeconds(10);

    private readonly ConditionalWeakTable<DestinationState, StrongBox<int>> _consecutiveFailures = [];

    public string Name => PolicyName;

    public void ProbingCompleted(ClusterState cluster, IReadOnlyList<DestinationProbingResult> probingResults)
    {
        if (probingResults.Count == 0)
        {
            return;
        }

        var threshold = Threshold(cluster);

        // A probe answered (or timed out) at most one timeout after it was sent: a synthesis in flight at any time
        // since then may have kept the server from answering.
        var window = cluster.Model.Config.HealthCheck?.Active?.Timeout ?? DefaultProbeTimeout;
        var states = new List<NewActiveDestinationHealth>(probingResults.Count);
        foreach (var result in probingResults)
        {
            var destination = result.Destination;
            var failures = _consecutiveFailures.GetOrCreateValue(destination);
            if (result.Response is { IsSuccessStatusCode: true })
            {
                failures.Value = 0;
                states.Add(new NewActiveDestinationHealth(destination, DestinationHealth.Healthy));
            }
            else if (activity.WasBusy(destination.DestinationId, window))
            {
                Log.BusyProbeIgnored(logger, destination.DestinationId);
                states.Add(new NewActiveDestinationHealth(destination, destination.Health.Active));
            }
            else
            {
                failures.Value++;
                states.Add(new NewActiveDestinationHealth(destination, failures.Value >= threshold ? DestinationHealth.Unhealthy : DestinationHealth.Healthy));
            }
        }

        health.SetActive(cluster, states);
    }

    private static int Threshold(ClusterState cluster) =>
        cluster.Model.Config.Metadata?.GetValueOrDefault(ThresholdKey) is { } raw
        && int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var threshold) && threshold >= 1
            ? threshold
            : DefaultThreshold;

    private static partial class Log
    {
        [LoggerMessage(LogEvents.BusyProbeIgnored, LogLevel.Debug, "Backend {Backend} did not answer its health probe while synthesizing; the probe is ignored")]
        public static partial void BusyProbeIgnored(ILogger logger, string backend);
    }
}
