using System.Net;
using ChatTts.Edge.Backends;
using ChatTts.Edge.Backends.Health;
using ChatTts.Edge.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace ChatTts.Edge.Tests.Backends.Health;

public sealed class BusyAwareProbePolicyTests
{
    private readonly ManualTimeProvider _time = new();
    private readonly RecordingHealthUpdater _health = new();
    private readonly BackendActivity _activity;
    private readonly BusyAwareProbePolicy _policy;
    private readonly ClusterState _cluster;
    private readonly DestinationState _gpu = new("gpu1", new DestinationModel(new DestinationConfig { Address = "http://gpu1/" }));

    public BusyAwareProbePolicyTests()
    {
        _activity = new BackendActivity(_time);
        _policy = new BusyAwareProbePolicy(_activity, _health, NullLogger<BusyAwareProbePolicy>.Instance);
        var config = new ClusterConfig
        {
            ClusterId = "chattts",
            HealthCheck = new HealthCheckConfig { Active = new ActiveHealthCheckConfig { Timeout = TimeSpan.FromSeconds(5) } },
        };
        _cluster = new ClusterState("chattts", new ClusterModel(config, new HttpMessageInvoker(new SocketsHttpHandler())));
    }

    [Fact]
    public void ProbingCompleted_IdleGpuFailsTwice_IsUnhealthyAndAPassingProbeBringsItBack()
    {
        Probe(failed: true);
        Assert.Equal(DestinationHealth.Healthy, _health.Last);
        Probe(failed: true);
        Assert.Equal(DestinationHealth.Unhealthy, _health.Last);
        Probe(failed: false);
        Assert.Equal(DestinationHealth.Healthy, _health.Last);
    }

    [Fact]
    public void ProbingCompleted_ProbesFailWhileASynthesisRuns_LeaveItsHealthAlone()
    {
        _gpu.Health.Active = DestinationHealth.Healthy;
        lock (_activity.Gate)
        {
            _activity.Take("gpu1");
        }

        for (var i = 0; i < 5; i++)
        {
            Probe(failed: true);
            Assert.Equal(DestinationHealth.Healthy, _health.Last);
        }

        // Finished streaming just now: a probe that timed out meanwhile still says nothing.
        lock (_activity.Gate)
        {
            _activity.Give("gpu1", finishing: false, streamedAudio: true);
        }

        _time.Advance(TimeSpan.FromSeconds(4));
        Probe(failed: true);
        Assert.Equal(DestinationHealth.Healthy, _health.Last);

        // Idle for longer than a probe can take: failures count again.
        _time.Advance(TimeSpan.FromSeconds(2));
        Probe(failed: true);
        Probe(failed: true);
        Assert.Equal(DestinationHealth.Unhealthy, _health.Last);
    }

    [Fact]
    public void ProbingCompleted_ASynthesisThatFailedAtOnce_DoesNotExcuseTheProbes()
    {
        lock (_activity.Gate)
        {
            _activity.Take("gpu1");
            _activity.Give("gpu1", finishing: false, streamedAudio: false);
        }

        Probe(failed: true);
        Probe(failed: true);
        Assert.Equal(DestinationHealth.Unhealthy, _health.Last);
    }

    private void Probe(bool failed)
    {
        using var response = new HttpResponseMessage(failed ? HttpStatusCode.ServiceUnavailable : HttpStatusCode.OK);
        _policy.ProbingCompleted(_cluster, [new DestinationProbingResult(_gpu, response, null)]);
        _gpu.Health.Active = _health.Last;
    }

    private sealed class RecordingHealthUpdater : IDestinationHealthUpdater
    {
        public DestinationHealth Last { get; private set; }

        public void SetActive(ClusterState cluster, IEnumerable<NewActiveDestinationHealth> newHealthStates) => Last = newHealthStates.Single().NewActiveHealth;

        public void SetPassive(ClusterState cluster, DestinationState destination, DestinationHealth newHealth, TimeSpan reactivationPeriod) =>
            throw new NotSupportedException();
    }
}
