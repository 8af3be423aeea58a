using ChatTts.Edge.Backends;
using ChatTts.Edge.Backends.Dialects;
using ChatTts.Edge.Hosting;
using ChatTts.Edge.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Configuration;

namespace ChatTts.Edge.Tests.Backends;

/// <summary>What YARP's configuration of the <c>chattts</c> cluster becomes, or why it is refused.</summary>
public sealed class BackendConfigFilterTests : IDisposable
{
    private const string Problems = "ReverseProxy:Clusters:chattts";

    private readonly LogCapture _logs = new();
    private readonly ILoggerFactory _loggerFactory;
    private readonly BackendConfigFilter _filter;

    public BackendConfigFilterTests()
    {
        _loggerFactory = LoggerFactory.Create(logging => logging.AddProvider(_logs));
        var dialects = new DialectRegistry([new WebUiDialect(), new ChatTtsOpenAiDialect(), new ForgeDialect(), new ChatTtsUiDialect()]);
        _filter = new BackendConfigFilter(dialects, _loggerFactory.CreateLogger<BackendConfigFilter>());
    }

    public void Dispose() => _loggerFactory.Dispose();

    [Fact]
    public async Task ConfigureClusterAsync_SeveralMistakes_ListsEveryOneAtOnce()
    {
        var cluster = Chattts(
            ("noscheme", "gpu1:9700", null),
            ("ftp", "ftp://gpu2/", null),
            ("dialect", "http://gpu3:9700/", new() { ["Dialect"] = "coqui" }),
            ("zero", "http://gpu4:9700/", new() { ["MaxConcurrency"] = "0" }),
            ("maybe", "http://gpu5:9700/", new() { ["Draining"] = "maybe" }),
            ("days", "http://gpu6:9700/", new() { ["FinishingTimeout"] = "90" }),
            ("fine", "http://gpu7:9700/", null)) with
        {
            Metadata = new Dictionary<string, string> { ["BackendFailures.Threshold"] = "0" },
        };

        var problems = (await Assert.ThrowsAsync<EdgeConfigurationException>(() => _filter.ConfigureClusterAsync(cluster, CancellationToken.None).AsTask())).Problems;

        Assert.Collection(
            problems,
            p => Assert.StartsWith($"{Problems}:Destinations:noscheme:Address is 'gpu1:9700'; expected an absolute http:// or https:// URL", p, StringComparison.Ordinal),
            p => Assert.StartsWith($"{Problems}:Destinations:ftp:Address is 'ftp://gpu2/'", p, StringComparison.Ordinal),
            p => Assert.Equal($"{Problems}:Destinations:dialect:Metadata:Dialect is 'coqui'; expected one of: chattts-openai, chattts-ui, forge, webui.", p),
            p => Assert.Equal($"{Problems}:Destinations:zero:Metadata:MaxConcurrency must be a whole number of at least 1.", p),
            p => Assert.Equal($"{Problems}:Destinations:maybe:Metadata:Draining must be true or false.", p),
            p => Assert.StartsWith($"{Problems}:Destinations:days:Metadata:FinishingTimeout is '90'", p, StringComparison.Ordinal),
            p => Assert.Equal($"{Problems}:Metadata:BackendFailures.Threshold must be a whole number of at least 1.", p));
    }

    [Fact]
    public async Task ConfigureClusterAsync_NothingButAddresses_GetsTheEdgesDefaults()
    {
        var configured = await _filter.ConfigureClusterAsync(Chattts(("gpu1", "http://gpu1:9700/", null)), CancellationToken.None);

        Assert.Equal("LeastRequests", configured.LoadBalancingPolicy);
        var health = Assert.IsType<HealthCheckConfig>(configured.HealthCheck);
        Assert.Equal("HealthyAndUnknown", health.AvailableDestinationsPolicy);
        Assert.Equal(new PassiveHealthCheckConfig { Enabled = true, Policy = "BackendFailures", ReactivationPeriod = TimeSpan.FromSeconds(30) }, health.Passive);
        Assert.Null(health.Active);
    }

    [Fact]
    public async Task ConfigureClusterAsync_ChoicesTheOperatorMade_AreKept()
    {
        var cluster = Chattts(("gpu1", "http://gpu1:9700/", null)) with
        {
            LoadBalancingPolicy = "RoundRobin",
            HealthCheck = new HealthCheckConfig
            {
                AvailableDestinationsPolicy = "HealthyOrPanic",
                Passive = new PassiveHealthCheckConfig { Enabled = false, ReactivationPeriod = TimeSpan.FromMinutes(2) },
            },
        };

        var configured = await _filter.ConfigureClusterAsync(cluster, CancellationToken.None);

        Assert.Equal("RoundRobin", configured.LoadBalancingPolicy);
        Assert.Equal("HealthyOrPanic", configured.HealthCheck?.AvailableDestinationsPolicy);
        Assert.Equal(new PassiveHealthCheckConfig { Enabled = false, Policy = "BackendFailures", ReactivationPeriod = TimeSpan.FromMinutes(2) }, configured.HealthCheck?.Passive);
    }

    [Theory]
    [InlineData(null, "BusyAwareConsecutiveFailures")]
    [InlineData("ConsecutiveFailures", "BusyAwareConsecutiveFailures")]
    [InlineData("consecutivefailures", "BusyAwareConsecutiveFailures")]
    [InlineData("MyProbePolicy", "MyProbePolicy")]
    public async Task ConfigureClusterAsync_ActiveHealthChecks_AreJudgedBusyAwareUnlessAnotherPolicyIsNamed(string? policy, string expected)
    {
        var cluster = Chattts(("gpu1", "http://gpu1:9700/", null)) with
        {
            HealthCheck = new HealthCheckConfig { Active = new ActiveHealthCheckConfig { Enabled = true, Policy = policy } },
        };

        var configured = await _filter.ConfigureClusterAsync(cluster, CancellationToken.None);

        Assert.Equal(expected, configured.HealthCheck?.Active?.Policy);
    }

    [Fact]
    public async Task ConfigureClusterAsync_ClusterNamesNoProbePath_EachDestinationIsProbedOnItsDialectsHealthPath()
    {
        var cluster = Chattts(
            ("webui", "http://gpu1:9700", null),
            ("forge", "http://gpu2:7870/tts/", new() { ["Dialect"] = "forge" }),
            ("ui", "http://gpu3:9966/", new() { ["Dialect"] = "chattts-ui" }),
            ("own", "http://gpu4:9700/", null));
        cluster = cluster with
        {
            Destinations = new Dictionary<string, DestinationConfig>(cluster.Destinations!) { ["own"] = cluster.Destinations!["own"] with { Health = "http://gpu4:9701/ready" } },
        };

        var configured = await _filter.ConfigureClusterAsync(cluster, CancellationToken.None);

        var destinations = configured.Destinations!;
        Assert.Equal("http://gpu1:9700/health", destinations["webui"].Health);
        Assert.Equal("http://gpu2:7870/tts/v1/ping", destinations["forge"].Health);
        Assert.Equal("http://gpu3:9966/", destinations["ui"].Health);
        Assert.Equal("http://gpu4:9701/ready", destinations["own"].Health);
    }

    [Fact]
    public async Task ConfigureClusterAsync_ClusterNamesAProbePath_DestinationsKeepNoHealthAddressOfTheirOwn()
    {
        var cluster = Chattts(("forge", "http://gpu2:7870/", new() { ["Dialect"] = "forge" })) with
        {
            HealthCheck = new HealthCheckConfig { Active = new ActiveHealthCheckConfig { Enabled = true, Path = "/status" } },
        };

        var configured = await _filter.ConfigureClusterAsync(cluster, CancellationToken.None);

        Assert.Null(configured.Destinations!["forge"].Health);
        Assert.Equal("/status", configured.HealthCheck?.Active?.Path);
    }

    [Fact]
    public async Task ConfigureClusterAsync_AnotherCluster_IsLeftAsItIs()
    {
        var other = new ClusterConfig
        {
            ClusterId = "static-files",
            Destinations = new Dictionary<string, DestinationConfig> { ["cdn"] = new() { Address = "not a url", Metadata = new Dictionary<string, string> { ["MaxConcurrency"] = "0" } } },
        };

        Assert.Same(other, await _filter.ConfigureClusterAsync(other, CancellationToken.None));
    }

    [Fact]
    public async Task ConfigureRouteAsync_RouteToTheChatTtsCluster_IsRefused()
    {
        var route = new RouteConfig { RouteId = "shortcut", ClusterId = "ChatTTS", Match = new RouteMatch { Path = "/tts/{**rest}" } };
        var elsewhere = new RouteConfig { RouteId = "files", ClusterId = "static-files", Match = new RouteMatch { Path = "/files/{**rest}" } };

        var refused = await Assert.ThrowsAsync<EdgeConfigurationException>(() => _filter.ConfigureRouteAsync(route, cluster: null, CancellationToken.None).AsTask());

        Assert.StartsWith("ReverseProxy:Routes:shortcut points at the 'chattts' cluster", Assert.Single(refused.Problems), StringComparison.Ordinal);
        Assert.Same(elsewhere, await _filter.ConfigureRouteAsync(elsewhere, cluster: null, CancellationToken.None));
    }

    [Fact]
    public async Task ConfigureClusterAsync_TwoDestinationsOnOneServer_AcceptedWithAWarningNamingBoth()
    {
        var cluster = Chattts(
            ("gpu1", "http://gpu1:9700/", null),
            ("gpu1-again", "http://GPU1:9700/other/", null),
            ("other-port", "http://gpu1:9701/", null));

        var configured = await _filter.ConfigureClusterAsync(cluster, CancellationToken.None);

        Assert.Equal(3, configured.Destinations!.Count);
        var warning = Assert.Single(_logs.Entries, e => e.Level == LogLevel.Warning);
        Assert.Equal("Backends gpu1 and gpu1-again are the same server (gpu1:9700): each gets its own MaxConcurrency, so that GPU may run more syntheses at once than either allows", warning.Message);
    }

    private static ClusterConfig Chattts(params (string Id, string Address, Dictionary<string, string>? Metadata)[] destinations) => new()
    {
        ClusterId = BackendMetadata.ClusterId,
        Destinations = destinations.ToDictionary(d => d.Id, d => new DestinationConfig { Address = d.Address, Metadata = d.Metadata }),
    };
}
