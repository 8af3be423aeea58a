using System.Net;
using ChatTts.Edge.Tests.Infrastructure;
using ChatTts.Emulator;

namespace ChatTts.Edge.Tests.Integration;

/// <summary>
/// The replay cache of seeded requests, through real Kestrel and emulated GPUs: a repeat is served from the first
/// stream's PCM (byte-exact, one synthesis, <c>done.cached</c>), framed at its own <c>chunk_ms</c>; anything that could
/// change the audio, or a stream that did not end <c>done</c>, is synthesized again.
/// </summary>
public sealed class ReplayCacheTests
{
    internal const string Text = "A greeting that every caller hears the same way.";

    [Theory]
    [InlineData("webui")]
    [InlineData("forge")]
    public async Task SeededRequest_Repeated_SecondIsServedFromTheCache_ByteExact_WithOneSynthesis(string dialect)
    {
        await using var gpu = await EmulatorInstance.StartAsync(EmulatorPresets.Fast(dialect));
        await using var edge = EdgeApp.Start(gpu);
        using var client = edge.CreateRealClient();

        var first = await GetAsync(client, "&seed=42");
        var second = await GetAsync(client, "&seed=42");

        Assert.Equal(HttpStatusCode.OK, second.Status);
        Assert.False(first.Single("done").TryGetProperty("cached", out _)); // synthesized: no cached member
        Assert.True(second.Single("done").GetProperty("cached").GetBoolean());
        Assert.Equal(1, gpu.RequestCount);
        Assert.Equal(gpu.ProducedPcm(gpu.Requests[0]), first.AudioPcm());
        Assert.Equal(first.AudioPcm(), second.AudioPcm());
        Assert.Equal(["meta"], second.EventTypes.Take(1)); // no queued event: no GPU slot was waited for
        Assert.Equal("done", second.EventTypes.Last());
        Assert.Equal("gpu0", second.Single("done").GetProperty("backend").GetString());
        Assert.Equal(first.Single("done").GetProperty("samples").GetInt64(), second.Single("done").GetProperty("samples").GetInt64());
    }

    [Fact]
    public async Task SeededTextOfSeveralSentences_WithFourGpusFree_IsOneSynthesis_AndItsRepeatIsCached()
    {
        // An unseeded text this long would be split over the free GPUs; a seeded one is cut by its text alone, and this
        // one fits in one segment: one synthesis, the same every time, so its repeat can be replayed.
        await using var a = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("webui"));
        await using var b = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("webui"));
        await using var c = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("webui"));
        await using var d = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("webui"));
        EmulatorInstance[] gpus = [a, b, c, d];
        await using var edge = EdgeApp.Start(gpus);
        using var client = edge.CreateRealClient();
        const string text = "Welcome back to the service desk. Your call matters to us, so please stay on the line. An agent will answer soon.";

        var path = "/v1/tts/stream?seed=7&text=" + Uri.EscapeDataString(text);
        var first = await SseCapture.GetAsync(client, path);
        var second = await SseCapture.GetAsync(client, path);

        Assert.DoesNotContain("segment", first.EventTypes);
        Assert.Equal(1, gpus.Sum(g => g.RequestCount));
        var gpu = gpus.Single(g => g.RequestCount == 1);
        Assert.Equal(text, gpu.Requests[0].Text);
        Assert.Equal(gpu.ProducedPcm(gpu.Requests[0]), first.AudioPcm());
        Assert.True(second.Single("done").GetProperty("cached").GetBoolean());
        Assert.Equal(first.AudioPcm(), second.AudioPcm());
    }

    [Fact]
    public async Task CachedRequest_WhileTheOnlyGpuIsTakenAndQueueingIsOff_IsServedAtOnce_WithoutASlot()
    {
        await using var gpu = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("webui"));
        await using var edge = EdgeApp.Start(gpu, new Dictionary<string, string?> { ["Edge:Admission:MaxQueueLength"] = "0" });
        using var client = edge.CreateRealClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var first = await GetAsync(client, "&seed=42", timeout.Token);

        gpu.Faults.Hold = true; // another request takes the GPU's one slot and keeps it
        var holding = GetAsync(client, "&seed=99", timeout.Token);
        while (gpu.RequestCount < 2)
        {
            await Task.Delay(10, timeout.Token);
        }

        using (var refused = await client.GetAsync(Path("&seed=100"), timeout.Token))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode); // a synthesis finds no slot and no queue
        }

        var cached = await GetAsync(client, "&seed=42", timeout.Token);
        gpu.Faults.Hold = false;
        await holding;

        Assert.Equal(["meta"], cached.EventTypes.Distinct().Take(1));
        Assert.DoesNotContain("queued", cached.EventTypes);
        Assert.True(cached.Single("done").GetProperty("cached").GetBoolean());
        Assert.Equal(first.AudioPcm(), cached.AudioPcm());
        Assert.Equal(2, gpu.RequestCount);
    }

    [Fact]
    public async Task SeededRequest_RepeatedAtAnotherChunkMs_IsFramedAtThatChunkMs_WithTheSamePcm()
    {
        await using var gpu = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("webui"));
        await using var edge = EdgeApp.Start(gpu);
        using var client = edge.CreateRealClient();

        var first = await GetAsync(client, "&seed=7&chunk_ms=200");
        var second = await GetAsync(client, "&seed=7&chunk_ms=60");

        Assert.True(second.Single("done").GetProperty("cached").GetBoolean());
        Assert.Equal(1, gpu.RequestCount);
        Assert.Equal(first.AudioPcm(), second.AudioPcm());
        var samples = second.Data("audio").Select(a => a.GetProperty("samples").GetInt32()).ToList();
        Assert.All(samples[..^1], s => Assert.Equal(60 * 24, s));
        Assert.InRange(samples[^1], 1, 60 * 24);
        Assert.Equal(Enumerable.Range(0, samples.Count), second.Data("audio").Select(a => a.GetProperty("seq").GetInt32()));
        Assert.True(samples.Count > first.Data("audio").Count()); // smaller frames, more of them
    }

    [Theory]
    [InlineData("&seed=42&temperature=0.3", "&seed=42&temperature=0.31")]
    [InlineData("&seed=42&voice=female2", "&seed=42&voice=Alice")]
    [InlineData("&seed=42", "&seed=43")]
    [InlineData("&seed=42&top_k=20", "&seed=42&top_k=21")]
    [InlineData("&seed=42&split=true", "&seed=42&split=false")]
    [InlineData("", "")] // no seed: not deterministic, never cached
    public async Task RequestDifferingInAFieldThatReachesTheBackend_OrWithoutSeed_IsSynthesizedAgain(string firstFields, string secondFields)
    {
        await using var gpu = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("forge"));
        await using var edge = EdgeApp.Start(gpu);
        using var client = edge.CreateRealClient();

        var first = await GetAsync(client, firstFields);
        var second = await GetAsync(client, secondFields);

        Assert.Equal("done", first.EventTypes.Last());
        Assert.Equal("done", second.EventTypes.Last());
        Assert.False(second.Single("done").TryGetProperty("cached", out _));
        Assert.Equal(2, gpu.RequestCount);
        Assert.Equal(gpu.ProducedPcm(gpu.Requests[1]), second.AudioPcm());
    }

    [Fact]
    public async Task StreamCutByTheBackend_IsNotCached_TheRepeatIsSynthesizedWhole()
    {
        await using var gpu = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("forge"));
        await using var edge = EdgeApp.Start(gpu);
        using var client = edge.CreateRealClient();

        gpu.Faults.DieAfterBytes = 44 + 48_000; // the WAV header and a second of audio, then the connection drops
        var cut = await GetAsync(client, "&seed=5&chunk_ms=100");
        gpu.Faults.Clear();
        var repeat = await GetAsync(client, "&seed=5&chunk_ms=100");

        Assert.Equal("error", cut.EventTypes.Last());
        Assert.NotEmpty(cut.Data("audio"));
        Assert.Equal("done", repeat.EventTypes.Last());
        Assert.False(repeat.Single("done").TryGetProperty("cached", out _));
        Assert.Equal(2, gpu.RequestCount);
        Assert.Equal(gpu.ProducedPcm(gpu.Requests[1]), repeat.AudioPcm());
    }

    [Fact]
    public async Task StreamTheClientLeftMidway_IsNotCached_TheRepeatIsSynthesized()
    {
        await using var gpu = await EmulatorInstance.StartAsync(EmulatorPresets.Paced("forge", realTimeFactor: 0.5, firstChunkMs: 10));
        // No grace for a resume: the synthesis is cancelled as the client leaves (with a grace it could finish, whole).
        await using var edge = EdgeApp.Start(gpu, new Dictionary<string, string?> { ["Edge:Resume:Grace"] = "00:00:00" });
        using var client = edge.CreateRealClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        using (var response = await client.GetAsync(Path("&seed=9"), HttpCompletionOption.ResponseHeadersRead, timeout.Token))
        using (var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token)))
        {
            while (await reader.ReadLineAsync(timeout.Token) is { } line && line != "event: audio")
            {
            }
        }

        await gpu.WaitForAbortAsync(timeout.Token);
        var repeat = await GetAsync(client, "&seed=9", timeout.Token);

        Assert.Equal("done", repeat.EventTypes.Last());
        Assert.False(repeat.Single("done").TryGetProperty("cached", out _));
        Assert.Equal(2, gpu.RequestCount);
        Assert.Equal(gpu.ProducedPcm(gpu.Requests[1]), repeat.AudioPcm());
    }

    [Fact]
    public async Task CacheDisabled_SeededRepeat_IsSynthesizedAgain()
    {
        await using var gpu = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("webui"));
        await using var edge = EdgeApp.Start(gpu, new Dictionary<string, string?> { ["Edge:Cache:Enabled"] = "false" });
        using var client = edge.CreateRealClient();

        await GetAsync(client, "&seed=42");
        var second = await GetAsync(client, "&seed=42");

        Assert.False(second.Single("done").TryGetProperty("cached", out _));
        Assert.Equal(2, gpu.RequestCount);
    }

    [Theory]
    [InlineData(true, 2)]
    [InlineData(false, 1)]
    public async Task Replay_IsChargedItsCharacters_UnlessChargeCharactersIsFalse(bool charge, int timesCharged)
    {
        await using var gpu = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("webui"));
        var settings = QuotaSettings.Alice(charactersPerDay: 100_000);
        settings["Edge:Cache:ChargeCharacters"] = charge ? "true" : "false";
        await using var edge = EdgeApp.Start(gpu, settings);
        using var client = edge.CreateRealClient();
        var key = "&seed=42&api_key=" + QuotaSettings.AliceKey;

        await GetAsync(client, key);
        var replayed = await GetAsync(client, key);

        Assert.True(replayed.Single("done").GetProperty("cached").GetBoolean());
        Assert.Equal(Text.Length, replayed.Single("done").GetProperty("characters").GetInt32());
        Assert.Equal(timesCharged * Text.Length, await CharactersUsedAsync(client));
    }

    [Fact]
    public async Task Start_AnEntryLimitOverTheBudget_ARedisStoreWithoutRedis_AndABadModelTag_FailsListingAllThreeByKey()
    {
        await using var gpu = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("webui"));

        var failure = Assert.ThrowsAny<Exception>(() => EdgeApp.Start(gpu, new Dictionary<string, string?>
        {
            ["Edge:Cache:MaxBytes"] = "1000",
            ["Edge:Cache:MaxEntryBytes"] = "2000",
            ["Edge:Cache:Store"] = "Redis",
            ["ReverseProxy:Clusters:chattts:Destinations:gpu0:Metadata:Model"] = "chattts\n2",
        }));

        var message = ConfigurationTests.Flatten(failure);
        Assert.Contains("Edge:Cache:MaxEntryBytes (2000) must not exceed Edge:Cache:MaxBytes (1000)", message, StringComparison.Ordinal);
        Assert.Contains("Edge:Cache:Store is Redis, so Edge:Redis:Configuration must name", message, StringComparison.Ordinal);
        Assert.Contains("Destinations:gpu0:Metadata:Model must be at most 200 characters with no control characters", message, StringComparison.Ordinal);
    }

    private static async Task<long> CharactersUsedAsync(HttpClient client)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/usage");
        request.Headers.Add("X-Api-Key", QuotaSettings.AliceKey);
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var usage = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return usage.RootElement.GetProperty("characters").GetProperty("used").GetInt64();
    }

    internal static string Path(string fields) => "/v1/tts/stream?text=" + Uri.EscapeDataString(Text) + fields;

    private static Task<SseCapture> GetAsync(HttpClient client, string fields, CancellationToken cancellationToken = default) =>
        SseCapture.GetAsync(client, Path(fields), cancellationToken);
}
