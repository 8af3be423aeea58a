using System.Net;
using System.Net.Http.Headers;
using ChatTts.Edge.Backends;
using ChatTts.Edge.Backends.Health;
using ChatTts.Edge.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace ChatTts.Edge.Tests.Backends.Health;

/// <summary>Passive health: which synthesis outcomes take a GPU out of rotation, and for how long.</summary>
public sealed class BackendFailuresPolicyTests
{
    private static readonly TimeSpan Reactivation = TimeSpan.FromSeconds(45);

    private readonly ManualTimeProvider _time = new();
    private readonly RecordingHealthUpdater _health = new();
    private readonly BackendFailuresPolicy _policy;
    private readonly DestinationState _gpu = new("gpu1", new DestinationModel(new DestinationConfig { Address = "http://gpu1:9700/" }));

    public BackendFailuresPolicyTests()
    {
        _policy = new BackendFailuresPolicy(_health, NullLogger<BackendFailuresPolicy>.Instance);
    }

    [Fact]
    public void Failed_TwoTransientFailuresInARow_TakesTheDestinationOutForTheReactivationPeriod()
    {
        var cluster = Cluster();

        _policy.Failed(cluster, _gpu, Failure(BackendFailureKind.Connection));
        Assert.Empty(_health.TakenOut);

        _policy.Failed(cluster, _gpu, Failure(BackendFailureKind.Timeout));
        Assert.Equal([("gpu1", Reactivation)], _health.TakenOut);

        // Back from its reactivation period, it has the full threshold again.
        _policy.Failed(cluster, _gpu, Failure(BackendFailureKind.Interrupted));
        Assert.Single(_health.TakenOut);
        _policy.Failed(cluster, _gpu, Failure(BackendFailureKind.Status, HttpStatusCode.BadGateway));
        Assert.Equal(2, _health.TakenOut.Count);
    }

    [Fact]
    public void Failed_ASuccessBetweenFailures_StartsTheCountAgain()
    {
        var cluster = Cluster();

        _policy.Failed(cluster, _gpu, Failure(BackendFailureKind.Connection));
        _policy.Succeeded(cluster, _gpu);
        _policy.Failed(cluster, _gpu, Failure(BackendFailureKind.Connection));

        Assert.Empty(_health.TakenOut);
    }

    [Fact]
    public void Failed_OtherDestinationsFailures_DoNotCountAgainstIt()
    {
        var cluster = Cluster();
        var gpu2 = new DestinationState("gpu2", new DestinationModel(new DestinationConfig { Address = "http://gpu2:9700/" }));

        _policy.Failed(cluster, _gpu, Failure(BackendFailureKind.Connection));
        _policy.Failed(cluster, gpu2, Failure(BackendFailureKind.Connection));

        Assert.Empty(_health.TakenOut);
    }

    [Theory]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    [InlineData(HttpStatusCode.TooManyRequests)]
    public async Task Failed_BusyAnswerWithRetryAfter_TakesItOutAtOnceForAsLongAsAsked(HttpStatusCode status)
    {
        _policy.Failed(Cluster(), _gpu, await AnswerAsync(status, TimeSpan.FromSeconds(20)));

        Assert.Equal([("gpu1", TimeSpan.FromSeconds(20))], _health.TakenOut);
    }

    [Fact]
    public async Task Failed_RetryAfterOfAnHour_IsCappedAtTenMinutes()
    {
        _policy.Failed(Cluster(), _gpu, await AnswerAsync(HttpStatusCode.ServiceUnavailable, TimeSpan.FromHours(1)));

        Assert.Equal([("gpu1", TimeSpan.FromMinutes(10))], _health.TakenOut);
    }

    [Fact]
    public async Task Failed_ServerErrorWithRetryAfter_CountsAsAnOrdinaryFailure()
    {
        _policy.Failed(Cluster(), _gpu, await AnswerAsync(HttpStatusCode.InternalServerError, TimeSpan.FromSeconds(20)));

        Assert.Empty(_health.TakenOut);
    }

    [Theory]
    [InlineData(5, 45)]    // the threshold's period is the longer
    [InlineData(120, 120)] // the backend asked for longer
    public async Task Failed_RetryAfterOnTheFailureThatReachesTheThreshold_TakesItOutForTheLongerOfTheTwo(int retryAfterSeconds, int expectedSeconds)
    {
        var cluster = Cluster();
        _policy.Failed(cluster, _gpu, Failure(BackendFailureKind.Connection));

        _policy.Failed(cluster, _gpu, await AnswerAsync(HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(retryAfterSeconds)));

        Assert.Equal([("gpu1", TimeSpan.FromSeconds(expectedSeconds))], _health.TakenOut);
    }

    [Theory]
    [InlineData(HttpStatusCode.UnprocessableEntity)] // the backend's own validation: the client's mistake
    [InlineData(HttpStatusCode.BadRequest)]
    [InlineData(HttpStatusCode.NotFound)]
    [InlineData(HttpStatusCode.Unauthorized)]
    public async Task Failed_AnswersThatSayNothingOfItsHealth_NeitherCountNorResetTheCount(HttpStatusCode status)
    {
        var cluster = Cluster();
        _policy.Failed(cluster, _gpu, Failure(BackendFailureKind.Connection));

        for (var i = 0; i < 5; i++)
        {
            _policy.Failed(cluster, _gpu, await AnswerAsync(status, TimeSpan.FromSeconds(20)));
        }

        Assert.Empty(_health.TakenOut);
        _policy.Failed(cluster, _gpu, Failure(BackendFailureKind.Connection));
        Assert.Single(_health.TakenOut);
    }

    [Theory]
    [InlineData(false, null)]
    [InlineData(true, "TransportFailureRate")]
    public async Task Failed_PassiveHealthOffOrAnotherPolicy_IsIgnored(bool enabled, string? policy)
    {
        var cluster = Cluster(new PassiveHealthCheckConfig { Enabled = enabled, Policy = policy, ReactivationPeriod = Reactivation });

        for (var i = 0; i < 5; i++)
        {
            _policy.Failed(cluster, _gpu, Failure(BackendFailureKind.Connection));
        }

        _policy.Failed(cluster, _gpu, await AnswerAsync(HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(20)));

        Assert.Empty(_health.TakenOut);
    }

    [Fact]
    public void Failed_ThresholdInClusterMetadata_IsHowManyFailuresInARowItTakes()
    {
        var cluster = Cluster(metadata: new Dictionary<string, string> { ["BackendFailures.Threshold"] = "3" });

        _policy.Failed(cluster, _gpu, Failure(BackendFailureKind.Connection));
        _policy.Failed(cluster, _gpu, Failure(BackendFailureKind.Connection));
        Assert.Empty(_health.TakenOut);

        _policy.Failed(cluster, _gpu, Failure(BackendFailureKind.Connection));
        Assert.Single(_health.TakenOut);
    }

    [Fact]
    public void RequestProxied_ForwardedRequestsAnswered5xxOr429_CountAsFailuresAndOthersAsSuccesses()
    {
        var cluster = Cluster();

        _policy.RequestProxied(Answered(StatusCodes.Status502BadGateway), cluster, _gpu);
        _policy.RequestProxied(Answered(StatusCodes.Status200OK), cluster, _gpu);
        _policy.RequestProxied(Answered(StatusCodes.Status429TooManyRequests), cluster, _gpu);
        Assert.Empty(_health.TakenOut);

        _policy.RequestProxied(Answered(StatusCodes.Status503ServiceUnavailable), cluster, _gpu);
        Assert.Equal([("gpu1", Reactivation)], _health.TakenOut);
    }

    private static ClusterState Cluster(PassiveHealthCheckConfig? passive = null, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var config = new ClusterConfig
        {
            ClusterId = BackendMetadata.ClusterId,
            HealthCheck = new HealthCheckConfig
            {
                Passive = passive ?? new PassiveHealthCheckConfig { Enabled = true, Policy = BackendFailuresPolicy.PolicyName, ReactivationPeriod = Reactivation },
            },
            Metadata = metadata,
        };
        return new ClusterState(BackendMetadata.ClusterId, new ClusterModel(config, new HttpMessageInvoker(new SocketsHttpHandler())));
    }

    private static BackendException Failure(BackendFailureKind kind, HttpStatusCode? status = null) =>
        new(kind, "the backend failed") { StatusCode = status };

    /// <summary>What the edge makes of a backend's non-success answer carrying <c>Retry-After</c>.</summary>
    private async Task<BackendException> AnswerAsync(HttpStatusCode status, TimeSpan retryAfter)
    {
        using var response = new HttpResponseMessage(status) { Content = new StringContent("""{"detail":"busy"}""") };
        response.Headers.RetryAfter = new RetryConditionHeaderValue(retryAfter);
        return await BackendFailures.FromStatusAsync(response, _time, CancellationToken.None);
    }

    private static DefaultHttpContext Answered(int status)
    {
        var context = new DefaultHttpContext();
        context.Response.StatusCode = status;
        return context;
    }

    private sealed class RecordingHealthUpdater : IDestinationHealthUpdater
    {
        /// <summary>Each time a destination was marked passively unhealthy, and for how long.</summary>
        public List<(string Destination, TimeSpan Period)> TakenOut { get; } = [];

        public void SetActive(ClusterState cluster, IEnumerable<NewActiveDestinationHealth> newHealthStates) =>
            throw new NotSupportedException();

        public void SetPassive(ClusterState cluster, DestinationState destination, DestinationHealth newHealth, TimeSpan reactivationPeriod)
        {
            Assert.Equal(DestinationHealth.Unhealthy, newHealth);
            TakenOut.Add((destination.DestinationId, reactivationPeriod));
        }
    }
}
