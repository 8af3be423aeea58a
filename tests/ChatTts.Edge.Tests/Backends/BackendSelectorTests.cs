using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using ChatTts.Edge.Backends;
using ChatTts.Edge.Backends.Dialects;
using ChatTts.Edge.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace ChatTts.Edge.Tests.Backends;

/// <summary>Choosing a destination of YARP's <c>chattts</c> cluster and counting its slots, over cluster state the test builds.</summary>
public sealed class BackendSelectorTests
{
    private static readonly DialectRegistry Dialects = new([new WebUiDialect(), new ChatTtsOpenAiDialect(), new ForgeDialect(), new ChatTtsUiDialect()]);
    private static readonly BackendRequest Plain = new("Hello there.");
    private static readonly BackendRequest Alloy = new("Hello there.", Voice: "alloy");

    /// <summary>Some destination could take the request, but none has room now.</summary>
    private static readonly BackendSelection AllBusy = new(null, HasCandidates: true);

    private readonly ManualTimeProvider _time = new();
    private readonly FirstChoicePolicy _policy = new();
    private readonly StaticProxyState _proxy = new();
    private readonly BackendSelector _selector;

    public BackendSelectorTests()
    {
        _selector = new BackendSelector(_proxy, [_policy], new DestinationSettingsCache(Dialects), new BackendActivity(_time), _time);
    }

    [Fact]
    public void TryAcquire_DestinationAtItsMaxConcurrency_IsNotChosenUntilALeaseIsReleased()
    {
        var gpu1 = Gpu("gpu1", ("MaxConcurrency", "2"));
        UseCluster(gpu1);

        var first = Acquire();
        var second = Acquire();
        var third = TryAcquire();

        Assert.Equal(["gpu1", "gpu1"], [first.DestinationId, second.DestinationId]);
        Assert.Equal(AllBusy, third);
        Assert.Equal(2, _selector.Activity.InFlight("gpu1"));
        Assert.Equal(2, gpu1.ConcurrentRequestCount); // what YARP's LeastRequests reads

        first.Dispose();
        Assert.Equal(1, gpu1.ConcurrentRequestCount);
        Assert.Equal("gpu1", Acquire().DestinationId);
    }

    [Fact]
    public void TryAcquire_OneDestinationIsFull_PolicyChoosesAmongThoseWithRoom()
    {
        UseCluster(Gpu("gpu1"), Gpu("gpu2"), Gpu("gpu3"));
        Assert.Equal("gpu1", Acquire().DestinationId);

        var selection = TryAcquire();

        Assert.Equal("gpu2", selection.Lease?.DestinationId);
        Assert.Equal(["gpu2", "gpu3"], _policy.Offered);
        Assert.False(selection.Restricted); // gpu1 was full, not barred
    }

    [Fact]
    public void TryAcquire_DrainingDestination_GetsNoNewWork()
    {
        UseCluster(Gpu("gpu1", ("Draining", "true")), Gpu("gpu2"), Gpu("gpu3", ("Draining", "false")));

        var selection = TryAcquire();

        Assert.Equal(["gpu2", "gpu3"], _policy.Offered);
        Assert.True(selection.Restricted);
    }

    [Fact]
    public void TryAcquire_PassiveFailureJustReported_SkipsTheDestinationBeforeYarpRecomputesAvailability()
    {
        var failed = Gpu("gpu1");
        failed.Health.Passive = DestinationHealth.Unhealthy;
        UseCluster(failed, Gpu("gpu2"), Gpu("gpu3"));

        Acquire();

        Assert.Equal(["gpu2", "gpu3"], _policy.Offered);
    }

    [Fact]
    public void TryAcquire_PassivelyUnhealthyUnderHealthyOrPanic_IsStillOffered()
    {
        var failed = Gpu("gpu1");
        failed.Health.Passive = DestinationHealth.Unhealthy;
        UseCluster(new ClusterConfig { HealthCheck = new HealthCheckConfig { AvailableDestinationsPolicy = "HealthyOrPanic" } }, failed, Gpu("gpu2"));

        Acquire();

        Assert.Equal(["gpu1", "gpu2"], _policy.Offered);
    }

    [Fact]
    public void TryAcquire_DestinationsAlreadyTried_AreNotOfferedAgain()
    {
        UseCluster(Gpu("gpu1"), Gpu("gpu2"), Gpu("gpu3"));

        var selection = TryAcquire(Plain, "gpu1");

        Assert.Equal(["gpu2", "gpu3"], _policy.Offered);
        Assert.True(selection.Restricted);
        Assert.Equal(BackendSelection.NoCandidates, TryAcquire(Plain, "gpu1", "gpu2", "gpu3"));
    }

    [Fact]
    public void TryAcquire_VoiceOnlyChatTtsOpenAiTakes_GoesToAChatTtsOpenAiDestination()
    {
        UseCluster(Gpu("webui"), Gpu("openai1", ("Dialect", "chattts-openai")), Gpu("openai2", ("Dialect", "chattts-openai")));

        var selection = TryAcquire(Alloy);

        Assert.Equal(["openai1", "openai2"], _policy.Offered);
        Assert.True(selection.Restricted);
        Assert.IsType<ChatTtsOpenAiDialect>(selection.Lease?.Dialect);
        Assert.Equal(new Uri("http://openai1:9700/"), selection.Lease?.Address);
    }

    [Fact]
    public void TryAcquire_NoClusterOrNoDestinationCanTakeIt_HasNoCandidates()
    {
        Assert.Equal(BackendSelection.NoCandidates, TryAcquire());

        UseCluster(Gpu("webui"));
        Assert.Equal(BackendSelection.NoCandidates, TryAcquire(Alloy));
    }

    [Fact]
    public void Capacity_CountsMaxConcurrencyOfTheDestinationsThatCanTakeWorkOnly()
    {
        var failed = Gpu("failed");
        failed.Health.Passive = DestinationHealth.Unhealthy;
        var down = Gpu("down");
        var cluster = UseCluster(
            new ClusterConfig { Metadata = new Dictionary<string, string> { ["MaxConcurrency"] = "3" } },
            Gpu("small", ("MaxConcurrency", "1")),
            Gpu("large"),
            Gpu("draining", ("Draining", "true")),
            failed,
            down);
        cluster.DestinationsState = new ClusterDestinationsState([.. cluster.Destinations.Values], [.. cluster.Destinations.Values.Where(d => d != down)]);

        Assert.Equal(1 + 3, _selector.Capacity());
    }

    [Fact]
    public void HasCandidateAndHasConfigured_DestinationOutOfRotation_IsConfiguredButNoCandidate()
    {
        Assert.False(_selector.HasConfigured(FrozenSet<string>.Empty));
        Assert.False(_selector.HasCandidate(FrozenSet<string>.Empty, Plain));
        Assert.Equal(0, _selector.Capacity());

        var down = Gpu("down");
        var up = Gpu("up");
        var cluster = UseCluster(down, up);
        cluster.DestinationsState = new ClusterDestinationsState([down, up], [up]);

        Assert.True(_selector.HasCandidate(FrozenSet<string>.Empty, Plain));
        Assert.False(_selector.HasCandidate(FrozenSet.Create("up"), Plain));
        Assert.True(_selector.HasConfigured(FrozenSet.Create("up")));
        Assert.False(_selector.HasConfigured(FrozenSet.Create("up", "down")));
    }

    [Fact]
    public void ServesAnywhereAndUnsupported_MixedDialects_SayWhichVoicesTheFleetTakes()
    {
        Assert.True(_selector.ServesAnywhere(Alloy));
        Assert.Null(_selector.Unsupported(Alloy));

        var openai = Gpu("openai", ("Dialect", "chattts-openai"));
        var cluster = UseCluster(Gpu("webui"), openai);
        cluster.DestinationsState = new ClusterDestinationsState([.. cluster.Destinations.Values], []); // even while all are down

        Assert.True(_selector.ServesAnywhere(Plain));
        Assert.False(_selector.ServesAnywhere(Alloy));
        Assert.Null(_selector.Unsupported(Alloy));
        Assert.Equal(
            new UnsupportedField("voice", "No backend of this proxy can take this voice: chattts-openai servers take the voices default, alloy and echo; webui servers have no voices (leave voice out)."),
            _selector.Unsupported(new BackendRequest("Hello there.", Voice: "nova")));
    }

    [Fact]
    public void Release_LeaseGivenBackUnused_FreesTheSlotAndRaisesSlotFreedWithoutAHoldTime()
    {
        UseCluster(Gpu("gpu1"));
        var freed = new List<TimeSpan?>();
        _selector.SlotFreed += freed.Add;
        var lease = Acquire();
        _time.Advance(TimeSpan.FromSeconds(3));

        lease.Dispose();
        lease.Dispose();

        Assert.Equal(new TimeSpan?[] { null }, freed);
        Assert.Equal(0, _selector.Activity.InFlight("gpu1"));
    }

    [Fact]
    public async Task Release_LeaseThatCarriedASynthesis_RaisesSlotFreedWithHowLongItWasHeld()
    {
        UseCluster(new ClusterConfig(), new StubHandler((_, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.InternalServerError))), Gpu("gpu1"));
        var freed = new List<TimeSpan?>();
        _selector.SlotFreed += freed.Add;
        var lease = Acquire();

        _time.Advance(TimeSpan.FromSeconds(3));
        var call = lease.Call(Plain, new CollectingPcmSink(), new BackendLimits(64 * 1024, 1 << 20), CancellationToken.None);
        await Assert.ThrowsAsync<BackendException>(() => call.Finished);
        lease.Dispose();

        Assert.Equal(new TimeSpan?[] { TimeSpan.FromSeconds(3) }, freed);
        Assert.Equal(0, _selector.Activity.InFlight("gpu1"));
    }

    [Fact]
    public async Task Release_SynthesisAbandonedWhileTheGpuComputes_HoldsTheSlotUntilItsFinishingTimeout()
    {
        var neverAnswers = new StubHandler(async (_, cancellationToken) =>
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
            return new HttpResponseMessage(HttpStatusCode.OK);
        });
        var gpu1 = Gpu("gpu1", ("FinishingTimeout", "00:01:00"));
        UseCluster(new ClusterConfig(), neverAnswers, gpu1);
        var freed = new TaskCompletionSource<TimeSpan?>(TaskCreationOptions.RunContinuationsAsynchronously);
        _selector.SlotFreed += held => freed.TrySetResult(held);
        var lease = Acquire();
        lease.Call(Plain, new CollectingPcmSink(), new BackendLimits(64 * 1024, 1 << 20), CancellationToken.None);

        lease.Dispose(); // the client went away
        _time.Advance(TimeSpan.FromSeconds(59));

        Assert.Equal(1, _selector.Activity.Finishing("gpu1"));
        Assert.Equal(1, _selector.Activity.InFlight("gpu1"));
        Assert.Equal(AllBusy, TryAcquire());
        Assert.False(freed.Task.IsCompleted);

        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(TimeSpan.FromSeconds(60), await freed.Task.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(0, _selector.Activity.Finishing("gpu1"));
        Assert.Equal(0, _selector.Activity.InFlight("gpu1"));
        Assert.Equal(0, gpu1.ConcurrentRequestCount);
        Assert.Equal("gpu1", Acquire().DestinationId);
    }

    [Fact]
    public void TryAcquire_DestinationReplacedByAReload_KeepsItsCapAndItsCount()
    {
        UseCluster(Gpu("gpu1", ("MaxConcurrency", "2")));
        var first = Acquire();
        Acquire();
        var reloaded = Gpu("gpu1", ("MaxConcurrency", "2"));
        UseCluster(reloaded);

        Assert.Equal(AllBusy, TryAcquire());

        first.Dispose();
        Assert.Equal(1, reloaded.ConcurrentRequestCount); // the fresh state learns of the synthesis still running
    }

    private static DestinationState Gpu(string id, params (string Key, string Value)[] metadata) =>
        new(id, new DestinationModel(new DestinationConfig
        {
            Address = $"http://{id}:9700/",
            Metadata = metadata.ToDictionary(m => m.Key, m => m.Value),
        }));

    private ClusterState UseCluster(params DestinationState[] destinations) => UseCluster(new ClusterConfig(), destinations);

    private ClusterState UseCluster(ClusterConfig config, params DestinationState[] destinations) =>
        UseCluster(config, new SocketsHttpHandler(), destinations);

    /// <summary>Every destination is listed as available unless the test says otherwise.</summary>
    private ClusterState UseCluster(ClusterConfig config, HttpMessageHandler handler, params DestinationState[] destinations)
    {
        var cluster = new ClusterState(BackendMetadata.ClusterId, new ClusterModel(config with { ClusterId = BackendMetadata.ClusterId }, new HttpMessageInvoker(handler)));
        foreach (var destination in destinations)
        {
            cluster.Destinations[destination.DestinationId] = destination;
        }

        cluster.DestinationsState = new ClusterDestinationsState(destinations, destinations);
        _proxy.Cluster = cluster;
        return cluster;
    }

    private BackendSelection TryAcquire(BackendRequest? speech = null, params string[] exclude) =>
        _selector.TryAcquire(new DefaultHttpContext(), exclude.ToFrozenSet(), speech ?? Plain);

    private BackendLease Acquire() => Assert.IsType<BackendLease>(TryAcquire().Lease);

    /// <summary>Registered as <c>LeastRequests</c>: takes the first destination offered and remembers what was offered.</summary>
    private sealed class FirstChoicePolicy : ILoadBalancingPolicy
    {
        public string Name => LoadBalancingPolicies.LeastRequests;

        public IReadOnlyList<string> Offered { get; private set; } = [];

        public DestinationState? PickDestination(HttpContext context, ClusterState cluster, IReadOnlyList<DestinationState> availableDestinations)
        {
            Offered = [.. availableDestinations.Select(d => d.DestinationId)];
            return availableDestinations[0];
        }
    }

    private sealed class StaticProxyState : IProxyStateLookup
    {
        public ClusterState? Cluster { get; set; }

        public bool TryGetRoute(string id, [NotNullWhen(true)] out RouteModel? route)
        {
            route = null;
            return false;
        }

        public IEnumerable<RouteModel> GetRoutes() => [];

        public bool TryGetCluster(string id, [NotNullWhen(true)] out ClusterState? cluster)
        {
            cluster = Cluster is { } known && string.Equals(known.ClusterId, id, StringComparison.OrdinalIgnoreCase) ? known : null;
            return cluster is not null;
        }

        public IEnumerable<ClusterState> GetClusters() => Cluster is { } known ? [known] : [];
    }

    private sealed class StubHandler(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> answer) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) => answer(request, cancellationToken);
    }
}
