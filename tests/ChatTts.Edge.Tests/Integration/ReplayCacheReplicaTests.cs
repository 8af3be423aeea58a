using ChatTts.Edge.Backends;
using ChatTts.Edge.Replay;
using ChatTts.Edge.Tests.Infrastructure;
using ChatTts.Emulator;

namespace ChatTts.Edge.Tests.Integration;

/// <summary>The replay cache in a real redis-server shared by real proxy processes: what one replica synthesized, another serves.</summary>
public sealed class ReplayCacheReplicaTests
{
    [Fact]
    public async Task SeededRequest_SynthesizedOnReplicaA_IsServedFromRedisByReplicaB_ByteExact_WithOneSynthesis()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var gpu = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("webui"));
        await using var first = await ProxyProcess.StartAsync(Environment(gpu, redis, model: "chattts-1"), CancellationToken.None);
        await using var second = await ProxyProcess.StartAsync(Environment(gpu, redis, model: "chattts-1"), CancellationToken.None);
        using var toFirst = new HttpClient { BaseAddress = first.Address };
        using var toSecond = new HttpClient { BaseAddress = second.Address };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        var synthesized = await SseCapture.GetAsync(toFirst, ReplayCacheTests.Path("&seed=42&chunk_ms=200"), timeout.Token);
        var replayed = await SseCapture.GetAsync(toSecond, ReplayCacheTests.Path("&seed=42&chunk_ms=100"), timeout.Token);

        Assert.Equal("done", synthesized.EventTypes.Last());
        Assert.True(replayed.Single("done").GetProperty("cached").GetBoolean());
        Assert.Equal(1, gpu.RequestCount);
        Assert.Equal(gpu.ProducedPcm(gpu.Requests[0]), replayed.AudioPcm());
        Assert.All(replayed.Data("audio").SkipLast(1), a => Assert.Equal(100 * 24, a.GetProperty("samples").GetInt32()));

        // A string key named by the request's SHA-256, expiring with Edge:Cache:Ttl (default one hour).
        var key = "edge:replay:" + ReplayKey.For(new BackendRequest(ReplayCacheTests.Text, Seed: 42), split: true, new BackendModel("webui", "chattts-1"));
        Assert.Equal("1", await redis.CommandAsync(timeout.Token, "EXISTS", key)); // (the streams' resume journals are there too)
        Assert.InRange(long.Parse(await redis.CommandAsync(timeout.Token, "PTTL", key), System.Globalization.CultureInfo.InvariantCulture), 3_500_000, 3_600_000);
    }

    [Fact]
    public async Task EntryOfOneModelTag_IsNotServedByAReplicaWhoseGpusRunAnotherModel()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var gpu = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("webui"));
        await using var old = await ProxyProcess.StartAsync(Environment(gpu, redis, model: "chattts-1"), CancellationToken.None);
        await using var upgraded = await ProxyProcess.StartAsync(Environment(gpu, redis, model: "chattts-2"), CancellationToken.None);
        using var toOld = new HttpClient { BaseAddress = old.Address };
        using var toUpgraded = new HttpClient { BaseAddress = upgraded.Address };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        await SseCapture.GetAsync(toOld, ReplayCacheTests.Path("&seed=42"), timeout.Token);
        var other = await SseCapture.GetAsync(toUpgraded, ReplayCacheTests.Path("&seed=42"), timeout.Token);
        var same = await SseCapture.GetAsync(toOld, ReplayCacheTests.Path("&seed=42"), timeout.Token);

        Assert.False(other.Single("done").TryGetProperty("cached", out _));
        Assert.True(same.Single("done").GetProperty("cached").GetBoolean());
        Assert.Equal(2, gpu.RequestCount);
    }

    [Fact]
    public async Task RedisDown_SeededRequests_AreSynthesizedAsUsual_NeverFailed()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var gpu = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("webui"));
        await using var proxy = await ProxyProcess.StartAsync(Environment(gpu, redis, model: ""), CancellationToken.None);
        using var client = new HttpClient { BaseAddress = proxy.Address };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await redis.DisposeAsync(); // stopped for good: every cache call now fails

        var first = await SseCapture.GetAsync(client, ReplayCacheTests.Path("&seed=42"), timeout.Token);
        var second = await SseCapture.GetAsync(client, ReplayCacheTests.Path("&seed=42"), timeout.Token);

        Assert.Equal("done", first.EventTypes.Last());
        Assert.Equal("done", second.EventTypes.Last());
        Assert.Equal(2, gpu.RequestCount);
        Assert.Equal(gpu.ProducedPcm(gpu.Requests[1]), second.AudioPcm());
    }

    private static Dictionary<string, string> Environment(EmulatorInstance gpu, RedisServer redis, string model)
    {
        var environment = QuotaSettings.AsEnvironment(QuotaSettings.UnlimitedAnonymous().ToDictionary(s => s.Key, s => (string?)s.Value));
        environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        environment["ReverseProxy__Clusters__chattts__Destinations__gpu0__Address"] = gpu.BaseAddress.AbsoluteUri;
        environment["ReverseProxy__Clusters__chattts__Destinations__gpu0__Metadata__Dialect"] = gpu.Dialect;
        environment["ReverseProxy__Clusters__chattts__Metadata__Model"] = model;
        environment["Edge__Redis__Configuration"] = redis.Configuration; // the cache's store follows: Redis
        return environment;
    }
}
