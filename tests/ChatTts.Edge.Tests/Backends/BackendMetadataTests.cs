using ChatTts.Edge.Backends;
using ChatTts.Edge.Backends.Dialects;
using Yarp.ReverseProxy.Configuration;

namespace ChatTts.Edge.Tests.Backends;

public sealed class BackendMetadataTests
{
    private static readonly DialectRegistry Dialects = new([new WebUiDialect(), new ChatTtsOpenAiDialect(), new ForgeDialect(), new ChatTtsUiDialect()]);

    [Theory]
    [InlineData("forge", null, 0)]
    [InlineData("chattts-ui", null, 300)]
    [InlineData("chattts-openai", "00:01:30", 90)]
    [InlineData("forge", "00:00:45", 45)]
    public void Parse_FinishingTimeout_IsTheDialectsUnlessTheDestinationSaysOtherwise(string dialect, string? configured, int seconds)
    {
        var metadata = new Dictionary<string, string> { ["Dialect"] = dialect };
        if (configured is not null)
        {
            metadata["FinishingTimeout"] = configured;
        }

        var settings = BackendMetadata.Parse(new ClusterConfig { ClusterId = "chattts" }, new DestinationConfig { Address = "http://gpu/", Metadata = metadata }, Dialects);

        Assert.Equal(TimeSpan.FromSeconds(seconds), settings.FinishingTimeout);
        Assert.Equal(dialect, settings.Dialect.Name);
    }

    [Theory]
    [InlineData("90")]        // a bare number would be 90 days
    [InlineData("soon")]
    [InlineData("-00:00:01")]
    [InlineData("02:00:00")]
    public void Problems_AFinishingTimeoutThatIsNoDurationInRange_IsNamedByKey(string configured)
    {
        var destination = new DestinationConfig { Address = "http://gpu/", Metadata = new Dictionary<string, string> { ["FinishingTimeout"] = configured } };

        var problem = Assert.Single(BackendMetadata.Problems(new ClusterConfig { ClusterId = "chattts" }, destination, Dialects, "ReverseProxy:Clusters:chattts:Destinations:gpu1"));

        Assert.StartsWith($"ReverseProxy:Clusters:chattts:Destinations:gpu1:Metadata:FinishingTimeout is '{configured}'", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, null, "")]
    [InlineData("chattts-1", null, "chattts-1")]
    [InlineData("chattts-1", "chattts-2", "chattts-2")]
    public void Parse_Model_IsTheDestinationsTag_ElseTheClustersElseEmpty(string? cluster, string? destination, string expected)
    {
        var clusterConfig = new ClusterConfig { ClusterId = "chattts", Metadata = cluster is null ? null : new Dictionary<string, string> { ["Model"] = cluster } };
        var destinationConfig = new DestinationConfig { Address = "http://gpu/", Metadata = destination is null ? null : new Dictionary<string, string> { ["Model"] = destination } };

        Assert.Equal(expected, BackendMetadata.Parse(clusterConfig, destinationConfig, Dialects).Model);
        Assert.Empty(BackendMetadata.Problems(clusterConfig, destinationConfig, Dialects, "x"));
    }
}
