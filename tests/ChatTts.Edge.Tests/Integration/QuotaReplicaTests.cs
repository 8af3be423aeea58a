using System.Diagnostics;
using System.Net;
using ChatTts.Edge.Tests.Infrastructure;
using ChatTts.Emulator;

namespace ChatTts.Edge.Tests.Integration;

/// <summary>Two real proxy processes sharing one redis-server: the limits hold across replicas.</summary>
public sealed class QuotaReplicaTests
{
    [Fact]
    public async Task Rate_EightQuickRequestsOverTwoReplicas_ExactlyFiveSucceedAndThreeGet429WithRetryAfter()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var backend = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("webui"));
        var environment = Environment(backend, QuotaSettings.Alice(redis.Configuration, requestsPerMinute: 5, burst: 5));
        await using var first = await ProxyProcess.StartAsync(environment, CancellationToken.None);
        await using var second = await ProxyProcess.StartAsync(environment, CancellationToken.None);
        using var toFirst = new HttpClient { BaseAddress = first.Address };
        using var toSecond = new HttpClient { BaseAddress = second.Address };

        var responses = new List<HttpResponseMessage>();
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < 8; i++)
        {
            responses.Add(await (i % 2 == 0 ? toFirst : toSecond).GetAsync($"/v1/tts/stream?text=hi&api_key={QuotaSettings.AliceKey}"));
        }

        var took = Stopwatch.GetElapsedTime(started);

        Assert.Equal(5, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        var refused = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.Equal(3, refused.Count);
        Assert.All(refused, r => Assert.InRange(r.Headers.RetryAfter!.Delta!.Value, TimeSpan.FromSeconds(Math.Floor(12 - took.TotalSeconds)), TimeSpan.FromSeconds(12))); // 60 s / 5, less the time the requests took, in whole seconds
        Assert.Equal(5, backend.RequestCount);
        responses.ForEach(r => r.Dispose());
    }

    [Fact]
    public async Task ConcurrencyLease_OfAKilledReplica_ExpiresByItself()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var slow = await EmulatorInstance.StartAsync(EmulatorPresets.Paced("forge", realTimeFactor: 1.0, firstChunkMs: 10));
        var environment = Environment(slow, QuotaSettings.Alice(redis.Configuration, concurrentStreams: 1, leaseTtl: "00:00:06"));
        await using var survivor = await ProxyProcess.StartAsync(environment, CancellationToken.None);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var toSurvivor = new HttpClient { BaseAddress = survivor.Address };
        var stream = $"/v1/tts/stream?api_key={QuotaSettings.AliceKey}&text=" + Uri.EscapeDataString("A long sentence that keeps its stream open for several seconds on the doomed replica.");

        await using var doomed = await ProxyProcess.StartAsync(environment, CancellationToken.None);
        using (var toDoomed = new HttpClient { BaseAddress = doomed.Address })
        using (var open = await toDoomed.GetAsync(stream, HttpCompletionOption.ResponseHeadersRead, timeout.Token))
        {
            Assert.Equal(HttpStatusCode.OK, open.StatusCode);
            using var meanwhile = await toSurvivor.GetAsync(stream, timeout.Token);
            Assert.Equal(HttpStatusCode.TooManyRequests, meanwhile.StatusCode);
            await doomed.DisposeAsync(); // killed: it never releases its lease
        }

        // The lease is no longer renewed and expires after its six seconds (renewed every two while its stream was
        // open, so a busy machine cannot let it lapse early); then the key may stream again.
        HttpStatusCode status;
        do
        {
            await Task.Delay(200, timeout.Token);
            using var retry = await toSurvivor.GetAsync("/v1/tts/stream?text=hi&api_key=" + QuotaSettings.AliceKey, timeout.Token);
            status = retry.StatusCode;
        }
        while (status == HttpStatusCode.TooManyRequests);

        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Fact]
    public async Task Logs_EvenAtTraceLevel_NeverContainKeysOrTokens()
    {
        await using var backend = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("webui"));
        var environment = Environment(backend, QuotaSettings.Alice(requestsPerMinute: 1000, burst: 100));
        environment["Logging__LogLevel__Default"] = "Trace";
        environment["Logging__LogLevel__Microsoft.AspNetCore"] = "Trace";
        environment["Logging__LogLevel__Microsoft.AspNetCore.Hosting.Diagnostics"] = "Trace";
        await using var proxy = await ProxyProcess.StartAsync(environment, CancellationToken.None);
        using var client = new HttpClient { BaseAddress = proxy.Address };
        const string unknownKey = "unknown-secret-key-that-must-not-leak";

        var streamed = await SseCapture.GetAsync(client, "/v1/tts/stream?text=hi&api_key=" + QuotaSettings.AliceKey);
        var token = await QuotaTests.IssueTokenAsync(client, new { ttl_seconds = 60 });
        var withToken = await SseCapture.GetAsync(client, "/v1/tts/stream?text=hi&api_key=" + Uri.EscapeDataString(token));
        using var refused = await client.GetAsync("/v1/tts/stream?text=hi&api_key=" + unknownKey);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await proxy.TerminateAsync(timeout.Token); // the whole output, flushed before the process exits

        Assert.Equal("done", streamed.EventTypes.Last());
        Assert.Equal("done", withToken.EventTypes.Last());
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("done on gpu0", proxy.Output, StringComparison.Ordinal); // the logs do speak of the requests…
        Assert.DoesNotContain(QuotaSettings.AliceKey, proxy.Output, StringComparison.Ordinal); // …but never of their secrets
        Assert.DoesNotContain(unknownKey, proxy.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(token.Split('.')[2], proxy.Output, StringComparison.Ordinal);
    }

    private static Dictionary<string, string> Environment(EmulatorInstance backend, Dictionary<string, string?> quotas)
    {
        var environment = QuotaSettings.AsEnvironment(quotas);
        environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        environment["ReverseProxy__Clusters__chattts__Destinations__gpu0__Address"] = backend.BaseAddress.AbsoluteUri;
        environment["ReverseProxy__Clusters__chattts__Destinations__gpu0__Metadata__Dialect"] = backend.Dialect;
        environment["Edge__Admission__MaxQueueLength"] = "100";
        return environment;
    }
}
