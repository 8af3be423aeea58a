using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ChatTts.Edge.Tests.Infrastructure;
using ChatTts.Emulator;

namespace ChatTts.Edge.Tests.Integration;

/// <summary>Per-key quotas with a real redis-server: identification, the three limits, tokens, usage, outages.</summary>
public sealed class QuotaTests : IAsyncLifetime
{
    private RedisServer _redis = null!;

    public async Task InitializeAsync() => _redis = await RedisServer.StartAsync();

    public async Task DisposeAsync() => await _redis.DisposeAsync();

    [Theory]
    [InlineData(null, null)]                                 // no key at all
    [InlineData("Authorization", "Bearer not-a-known-key")]
    [InlineData("Authorization", "Basic YWxpY2U6c2VjcmV0")]  // malformed: not a Bearer
    [InlineData("X-Api-Key", "not-a-known-key")]
    public async Task Stream_WithoutAValidKey_Is401AndNothingReachesABackend(string? header, string? value)
    {
        await using var backend = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("webui"));
        await using var edge = EdgeApp.Start(backend, QuotaSettings.Alice(_redis.Configuration));
        using var client = edge.CreateRealClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/tts/stream?text=hi");
        if (header is not null)
        {
            request.Headers.TryAddWithoutValidation(header, value);
        }

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal(0, backend.RequestCount);
    }

    [Fact]
    public async Task Stream_WithTheKeyInAnyOfItsThreePlaces_StreamsWithRateLimitHeaders()
    {
        await using var backend = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("webui"));
        await using var edge = EdgeApp.Start(backend, QuotaSettings.Alice(_redis.Configuration, requestsPerMinute: 1, burst: 10));
        using var client = edge.CreateRealClient();

        using var bearer = new HttpRequestMessage(HttpMethod.Get, "/v1/tts/stream?text=hi");
        bearer.Headers.Authorization = new("Bearer", QuotaSettings.AliceKey);
        using var header = new HttpRequestMessage(HttpMethod.Get, "/v1/tts/stream?text=hi");
        header.Headers.Add("X-Api-Key", QuotaSettings.AliceKey);
        var viaBearer = await SseCapture.SendAsync(client, bearer);
        var viaHeader = await SseCapture.SendAsync(client, header);
        var viaQuery = await SseCapture.GetAsync(client, "/v1/tts/stream?text=hi&api_key=" + QuotaSettings.AliceKey);

        Assert.All([viaBearer, viaHeader, viaQuery], stream => Assert.Equal("done", stream.EventTypes.Last()));
        Assert.Equal("10", viaQuery.Headers.GetValues("RateLimit-Limit").Single());
        Assert.Equal("7", viaQuery.Headers.GetValues("RateLimit-Remaining").Single());
        Assert.InRange(int.Parse(viaQuery.Headers.GetValues("RateLimit-Reset").Single(), System.Globalization.CultureInfo.InvariantCulture), 170, 180); // 3 × 60 s to refill
        Assert.Matches(@"^quota;dur=\d+(\.\d+)?$", viaQuery.Headers.GetValues("Server-Timing").Single());
    }

    [Fact]
    public async Task ConcurrentStreams_SecondStreamOnTheSameKeyIs429Concurrency_UntilTheFirstEnds()
    {
        await using var backend = await EmulatorInstance.StartAsync(EmulatorPresets.Paced("forge", realTimeFactor: 1.0, firstChunkMs: 10));
        await using var other = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("webui"));
        await using var edge = EdgeApp.Start([backend, other], QuotaSettings.Alice(_redis.Configuration, concurrentStreams: 1));
        using var client = edge.CreateRealClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var first = await client.GetAsync($"/v1/tts/stream?api_key={QuotaSettings.AliceKey}&text=" + Uri.EscapeDataString(string.Concat(Enumerable.Repeat("A long first stream holds the key's only stream slot. ", 5))), HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        using (var second = await client.GetAsync($"/v1/tts/stream?api_key={QuotaSettings.AliceKey}&text=second", timeout.Token))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
            Assert.Equal("concurrency", JsonDocument.Parse(await second.Content.ReadAsStringAsync(timeout.Token)).RootElement.GetProperty("limit").GetString());
            Assert.True(second.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
            Assert.Equal("0", second.Headers.GetValues("RateLimit-Remaining").Single());
        }

        first.Dispose(); // the client goes away: its lease is released
        await WaitForActiveStreamsAsync(client, 0, timeout.Token);
        var third = await SseCapture.GetAsync(client, $"/v1/tts/stream?api_key={QuotaSettings.AliceKey}&text=third", timeout.Token);
        Assert.Equal("done", third.EventTypes.Last());
    }

    [Fact]
    public async Task CharactersPerDay_RequestBeyondItIs429Characters_AndAFailureBeforeAudioCostsNothing()
    {
        await using var backend = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("webui"));
        await using var edge = EdgeApp.Start(backend, QuotaSettings.Alice(_redis.Configuration, charactersPerDay: 30));
        using var client = edge.CreateRealClient();
        var key = "&api_key=" + QuotaSettings.AliceKey;

        backend.Faults.Fail = true;
        using (var failed = await client.GetAsync("/v1/tts/stream?text=" + new string('a', 25) + key))
        {
            Assert.Equal(HttpStatusCode.BadGateway, failed.StatusCode);
        }

        backend.Faults.Clear();
        var usageAfterFailure = await UsageAsync(client);
        var spoken = await SseCapture.GetAsync(client, "/v1/tts/stream?text=" + new string('b', 25) + key);
        using var refused = await client.GetAsync("/v1/tts/stream?text=" + new string('c', 6) + key);

        Assert.Equal(0, usageAfterFailure.GetProperty("characters").GetProperty("used").GetInt64());
        Assert.Equal("done", spoken.EventTypes.Last());
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("characters", JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("limit").GetString());
        Assert.Equal("30", refused.Headers.GetValues("RateLimit-Limit").Single());
        Assert.Equal("5", refused.Headers.GetValues("RateLimit-Remaining").Single());
        Assert.Equal(refused.Headers.RetryAfter?.Delta?.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), refused.Headers.GetValues("RateLimit-Reset").Single());
        Assert.Equal(25, (await UsageAsync(client)).GetProperty("characters").GetProperty("used").GetInt64());
    }

    [Fact]
    public async Task Tokens_AValidTokenWorksInAnEventSourceUrl_TamperedOrExpiredOnesAre401()
    {
        await using var backend = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("webui"));
        await using var edge = EdgeApp.Start(backend, QuotaSettings.Alice(_redis.Configuration));
        using var client = edge.CreateRealClient();

        var token = await IssueTokenAsync(client, new { ttl_seconds = 600, max_characters = 50 });
        var shortLived = await IssueTokenAsync(client, new { ttl_seconds = 1 });
        var streamed = await SseCapture.GetAsync(client, "/v1/tts/stream?text=hello&api_key=" + Uri.EscapeDataString(token));
        var tampered = token[..^2] + (token[^2] == 'A' ? "B" : "A") + token[^1];
        using var withTampered = await client.GetAsync("/v1/tts/stream?text=hello&api_key=" + Uri.EscapeDataString(tampered));
        using var overCap = await client.GetAsync("/v1/tts/stream?text=" + new string('x', 51) + "&api_key=" + Uri.EscapeDataString(token));
        using var mintWithToken = new HttpRequestMessage(HttpMethod.Post, "/v1/tokens") { Content = JsonContent.Create(new { }) };
        mintWithToken.Headers.Authorization = new("Bearer", token);
        using var minted = await client.SendAsync(mintWithToken);
        await Task.Delay(TimeSpan.FromSeconds(2.1)); // the one-second token has expired (expiry is in whole seconds)
        using var expired = await client.GetAsync("/v1/tts/stream?text=hello&api_key=" + Uri.EscapeDataString(shortLived));

        Assert.Equal("done", streamed.EventTypes.Last());
        Assert.Equal(HttpStatusCode.Unauthorized, withTampered.StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, overCap.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, minted.StatusCode); // tokens cannot mint tokens
        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        Assert.Equal(1, backend.RequestCount);
    }

    [Fact]
    public async Task RedisStopped_OpenKeepsServingWithinPerReplicaLimits_AndGlobalLimitsReturnWithRedis()
    {
        await using var backend = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("webui"));
        await using var edge = EdgeApp.Start(backend, QuotaSettings.Alice(_redis.Configuration, requestsPerMinute: 1, burst: 2, failureMode: "Open"));
        using var client = edge.CreateRealClient();

        Assert.Equal(HttpStatusCode.OK, (await StreamAsync(client)).Status);
        await _redis.StopAsync();

        // Redis is gone: this replica enforces the plan on its own (burst 2, then 429).
        var outage = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            outage.Add((await StreamAsync(client)).Status);
        }

        await _redis.StartAgainAsync(); // empty: the global count starts afresh once the edge reconnects
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while ((await UsageAsync(client)).GetProperty("rate").GetProperty("remaining").GetInt64() != 2)
        {
            await Task.Delay(100, timeout.Token); // reconnecting by itself, no restart
        }

        var back = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            back.Add((await StreamAsync(client)).Status);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], outage);
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], back);
    }

    [Fact]
    public async Task RedisStopped_ClosedAnswers503()
    {
        await using var backend = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("webui"));
        await using var edge = EdgeApp.Start(backend, QuotaSettings.Alice(_redis.Configuration, failureMode: "Closed"));
        using var client = edge.CreateRealClient();

        Assert.Equal(HttpStatusCode.OK, (await StreamAsync(client)).Status);
        await _redis.StopAsync();
        var refused = await StreamAsync(client);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.Status);
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.Equal(1, backend.RequestCount);
    }

    [Theory]
    [InlineData("Open")]
    [InlineData("Closed")]
    public async Task RedisFrozen_CostsAtMostTheDeadline_FailureModeAppliesAtOnce_AndServingIsGlobalAgainAfterIt(string failureMode)
    {
        await using var backend = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("webui"));
        var settings = QuotaSettings.Alice(_redis.Configuration, failureMode: failureMode);
        settings["Edge:Redis:Timeout"] = "00:00:00.200";
        await using var edge = EdgeApp.Start(backend, settings);
        using var client = edge.CreateRealClient();
        Assert.Equal(HttpStatusCode.OK, (await StreamAsync(client)).Status);

        await _redis.FreezeAsync();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                var stream = await StreamAsync(client);
                Assert.True(System.Diagnostics.Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(5)); // the freeze lasts until the end
                if (failureMode == "Open")
                {
                    Assert.Equal(HttpStatusCode.OK, stream.Status);
                    Assert.Equal("done", stream.EventTypes.Last());
                }
                else
                {
                    Assert.Equal(HttpStatusCode.ServiceUnavailable, stream.Status);
                    Assert.NotNull(stream.Headers.RetryAfter);
                }
            }

            using var ready = await client.GetAsync("/readyz");
            Assert.Contains("does not answer in time", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        finally
        {
            await _redis.ThawAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            using var ready = await client.GetAsync("/readyz", timeout.Token);
            if ((await ready.Content.ReadAsStringAsync(timeout.Token)).Contains("Redis is reachable", StringComparison.Ordinal))
            {
                break;
            }

            await StreamAsync(client); // calls let the edge probe Redis again
            await Task.Delay(100, timeout.Token);
        }

        Assert.Equal(HttpStatusCode.OK, (await StreamAsync(client)).Status);
    }

    private static Task<SseCapture> StreamAsync(HttpClient client) =>
        SseCapture.GetAsync(client, "/v1/tts/stream?text=hi&api_key=" + QuotaSettings.AliceKey);

    private static async Task<JsonElement> UsageAsync(HttpClient client)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/usage");
        request.Headers.Add("X-Api-Key", QuotaSettings.AliceKey);
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private static async Task WaitForActiveStreamsAsync(HttpClient client, long active, CancellationToken cancellationToken)
    {
        while ((await UsageAsync(client)).GetProperty("concurrency").GetProperty("active").GetInt64() != active)
        {
            await Task.Delay(50, cancellationToken);
        }
    }

    internal static async Task<string> IssueTokenAsync(HttpClient client, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/tokens") { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new("Bearer", QuotaSettings.AliceKey);
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("token").GetString()!;
    }
}
