using ChatTts.Edge.Tests.Infrastructure;
using ChatTts.Emulator;

namespace ChatTts.Edge.Tests.Integration;

public sealed class ConfigurationTests
{
    [Fact]
    public async Task Start_UnknownDialectAndBadMaxConcurrency_FailsListingBoth()
    {
        await using var backend = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("webui"));

        var failure = Assert.ThrowsAny<Exception>(() => EdgeApp.Start(backend, new Dictionary<string, string?>
        {
            ["ReverseProxy:Clusters:chattts:Destinations:gpu0:Metadata:Dialect"] = "chattts-grpc",
            ["ReverseProxy:Clusters:chattts:Destinations:gpu0:Metadata:MaxConcurrency"] = "0",
        }));

        var message = Flatten(failure);
        Assert.Contains("ReverseProxy:Clusters:chattts:Destinations:gpu0:Metadata:Dialect is 'chattts-grpc'", message);
        Assert.Contains("chattts-openai, chattts-ui, forge, webui", message);
        Assert.Contains("Destinations:gpu0:Metadata:MaxConcurrency must be a whole number of at least 1", message);
    }

    [Fact]
    public async Task Process_ThreeDistinctMistakes_ListsAllThreeAndExitsWithOne()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        var (exitCode, output) = await ProxyProcess.RunToExitAsync(new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Testing",
            ["ReverseProxy__Clusters__chattts__Destinations__gpu1__Address"] = "http://gpu1:9700/",
            ["ReverseProxy__Clusters__chattts__Destinations__gpu1__Metadata__Dialect"] = "grpc",
            ["Edge__Quotas__Keys__bob__Sha256"] = new string('0', 64),
            ["Edge__Quotas__Keys__bob__Plan"] = "gold",
            ["Edge__ClientCertificates__TrustedCaPath"] = "/nonexistent/ca.pem",
        }, timeout.Token);

        Assert.Equal(1, exitCode);
        Assert.Contains("The configuration has 3 problem(s)", output, StringComparison.Ordinal);
        Assert.Contains("ReverseProxy:Clusters:chattts:Destinations:gpu1:Metadata:Dialect is 'grpc'", output, StringComparison.Ordinal);
        Assert.Contains("Edge:Quotas:Keys:bob:Plan is 'gold'", output, StringComparison.Ordinal);
        Assert.Contains("Edge:ClientCertificates:TrustedCaPath names a file that does not exist", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal); // no stack trace
    }

    [Fact]
    public async Task Process_ValuesThatDoNotParseAndAnOutOfRangeOne_ListsAllFourByKeyAndExitsWithOne()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        var (exitCode, output) = await ProxyProcess.RunToExitAsync(new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Testing",
            ["Edge__Streaming__MaxTextCharacters"] = "abc",
            ["Edge__Quotas__Store"] = "Redsi",
            ["Edge__Streaming__IdleTimeout"] = "ten seconds",
            ["Edge__Admission__MaxQueueWait"] = "01:00:00",
        }, timeout.Token);

        Assert.Equal(1, exitCode);
        Assert.Contains("The configuration has 4 problem(s)", output, StringComparison.Ordinal);
        Assert.Contains("Edge:Streaming:MaxTextCharacters is 'abc', which is not a whole number", output, StringComparison.Ordinal);
        Assert.Contains("Edge:Quotas:Store is 'Redsi', which is not one of Memory, Redis", output, StringComparison.Ordinal);
        Assert.Contains("Edge:Streaming:IdleTimeout is 'ten seconds', which is not a duration", output, StringComparison.Ordinal);
        Assert.Contains("Edge:Admission:MaxQueueWait must be between", output, StringComparison.Ordinal);
        Assert.DoesNotContain("AdmissionOptions", output, StringComparison.Ordinal); // named by key, not by class
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal); // no stack trace
    }

    [Fact]
    public async Task Process_DurationGivenAsABareNumber_StartsAndWarnsThatItMeansDays()
    {
        await using var proxy = await ProxyProcess.StartAsync(new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Testing",
            ["Edge__Shutdown__DrainTimeout"] = "0",
            ["Edge__Admission__MaxQueueWait"] = "00:00:15",
        }, CancellationToken.None);

        Assert.Contains("Edge:Shutdown:DrainTimeout is '0', which reads as 0 day(s)", proxy.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("MaxQueueWait", proxy.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_TwoDestinationsOnTheSameServer_WarnsNamingBoth()
    {
        await using var backend = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("webui"));
        var logs = new LogCapture();

        await using var edge = EdgeApp.Start([backend, backend], logs: logs);

        var warning = Assert.Single(logs.Entries, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Warning && e.Message.Contains("same server", StringComparison.Ordinal));
        Assert.Contains("gpu0", warning.Message, StringComparison.Ordinal);
        Assert.Contains("gpu1", warning.Message, StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{backend.Port}", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_UnreadableCertificateFiles_FailNamingEach()
    {
        var garbage = Path.GetTempFileName();
        File.WriteAllText(garbage, "not a certificate");
        try
        {
            var failure = Assert.ThrowsAny<Exception>(() => EdgeApp.Start([], new Dictionary<string, string?>
            {
                ["Edge:ClientCertificates:TrustedCaPath"] = garbage,
                ["Edge:Backends:TrustedCaPath"] = garbage,
                ["Edge:Backends:ClientCertificate:Path"] = garbage,
                ["Edge:Backends:ClientCertificate:KeyPath"] = garbage,
            }));

            var message = Flatten(failure);
            Assert.Contains("Edge:ClientCertificates:TrustedCaPath cannot be read as a PEM bundle", message);
            Assert.Contains("Edge:Backends:TrustedCaPath cannot be read as a PEM bundle", message);
            Assert.Contains("Edge:Backends:ClientCertificate cannot be read as a PEM certificate with its private key", message);
        }
        finally
        {
            File.Delete(garbage);
        }
    }

    [Fact]
    public void Start_YarpRouteToTheChatTtsCluster_FailsBecauseItWouldBypassTheQueue()
    {
        var failure = Assert.ThrowsAny<Exception>(() => EdgeApp.Start([], new Dictionary<string, string?>
        {
            ["ReverseProxy:Routes:raw:ClusterId"] = "chattts",
            ["ReverseProxy:Routes:raw:Match:Path"] = "/raw/{**rest}",
        }));

        Assert.Contains("ReverseProxy:Routes:raw points at the 'chattts' cluster", Flatten(failure));
    }

    [Fact]
    public void Start_BadQuotaConfiguration_FailsListingEveryMistake()
    {
        var failure = Assert.ThrowsAny<Exception>(() => EdgeApp.Start([], new Dictionary<string, string?>
        {
            ["Edge:Quotas:Store"] = "Redis",
            ["Edge:Quotas:Keys:bob:Sha256"] = "not-a-hash",
            ["Edge:Quotas:Keys:bob:Plan"] = "gold",
            ["Edge:Quotas:Plans:silver:Burst"] = "0",
            ["Edge:Quotas:TokenSigningKey"] = "short",
        }));

        var message = Flatten(failure);
        Assert.Contains("Edge:Quotas:Redis must name the Redis server", message);
        Assert.Contains("Edge:Quotas:Keys:bob:Sha256 must be the lowercase hex SHA-256", message);
        Assert.Contains("Edge:Quotas:Keys:bob:Plan is 'gold'", message);
        Assert.Contains("Edge:Quotas:Plans:silver:Burst must be at least 1", message);
        Assert.Contains("Edge:Quotas:TokenSigningKey must be at least 32 characters", message);
    }

    [Fact]
    public void Start_BadSegmentationConfiguration_FailsListingEveryMistakeByKey()
    {
        var failure = Assert.ThrowsAny<Exception>(() => EdgeApp.Start([], new Dictionary<string, string?>
        {
            ["Edge:Segmentation:MaxParallel"] = "0",
            ["Edge:Segmentation:MaxBufferedAudio"] = "00:00:00.100",
            ["Edge:Segmentation:MaxSegmentCharacters"] = "30",
            ["Edge:Segmentation:MinSegmentCharacters"] = "31",
        }));

        var message = Flatten(failure);
        Assert.Contains("Edge:Segmentation:MaxParallel", message);
        Assert.Contains("Edge:Segmentation:MaxBufferedAudio", message);
        Assert.Contains("Edge:Segmentation:MinSegmentCharacters (31) must not exceed Edge:Segmentation:MaxSegmentCharacters (30)", message);
    }

    [Theory]
    [InlineData("localhost:9700")]
    [InlineData("ftp://gpu1/")]
    [InlineData("/relative")]
    public async Task Start_DestinationAddressNotAnAbsoluteHttpUrl_FailsNamingIt(string address)
    {
        await using var backend = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("webui"));

        var failure = Assert.ThrowsAny<Exception>(() => EdgeApp.Start(backend, new Dictionary<string, string?>
        {
            ["ReverseProxy:Clusters:chattts:Destinations:gpu0:Address"] = address,
        }));

        Assert.Contains($"ReverseProxy:Clusters:chattts:Destinations:gpu0:Address is '{address}'", Flatten(failure));
    }

    [Theory]
    [InlineData("Edge:Streaming:MaxTextCharacters", "0")]
    [InlineData("Edge:Streaming:DefaultChunkMs", "5")]
    [InlineData("Edge:Cors:AllowedOrigins:0", "app.example.com/path")]
    public void Start_InvalidEdgeOption_FailsAtStartUp(string key, string value)
    {
        var failure = Assert.ThrowsAny<Exception>(() => EdgeApp.Start([], new Dictionary<string, string?> { [key] = value }));

        Assert.Contains(key.Split(':')[^1].Replace("0", "AllowedOrigins", StringComparison.Ordinal), Flatten(failure));
    }

    internal static string Flatten(Exception exception) =>
        exception.InnerException is null ? exception.ToString() : exception + Flatten(exception.InnerException);
}
