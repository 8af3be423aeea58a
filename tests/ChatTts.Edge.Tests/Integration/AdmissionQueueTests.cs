using System.Net;
using System.Text.Json;
using ChatTts.Edge.Tests.Infrastructure;
using ChatTts.Emulator;

namespace ChatTts.Edge.Tests.Integration;

/// <summary>The admission queue: one synthesis per GPU, the rest wait in order and hear where they stand.</summary>
public sealed class AdmissionQueueTests
{
    [Fact]
    public async Task TwentyClients_ThreeBackendsOfCapacityOne_NoBackendDoublesUpAndQueuedClientsSeeTheirPlaceShrink()
    {
        await using var webui = await EmulatorInstance.StartAsync(Paced("webui"));
        await using var openai = await EmulatorInstance.StartAsync(Paced("chattts-openai"));
        await using var forge = await EmulatorInstance.StartAsync(Paced("forge"));
        EmulatorInstance[] backends = [webui, openai, forge];
        await using var edge = EdgeApp.Start(backends);
        using var client = edge.CreateRealClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));

        // The GPUs hold their first syntheses until all twenty requests have arrived: three run, seventeen wait.
        Array.ForEach(backends, b => b.Faults.Hold = true);
        var texts = Enumerable.Range(0, 20).Select(i => $"Client {i} waits its turn.").ToList();
        var requests = texts.Select(text => SseCapture.GetAsync(client, "/v1/tts/stream?text=" + Uri.EscapeDataString(text), timeout.Token)).ToList();
        await FleetStatus.WaitUntilAsync(client, s => s.GetProperty("queue").GetProperty("length").GetInt32() == 17, timeout.Token);
        Array.ForEach(backends, b => b.Faults.Hold = false);
        var streams = await Task.WhenAll(requests);

        Assert.All(backends, backend => Assert.Equal(1, backend.PeakInFlight));
        var queued = 0;
        for (var i = 0; i < streams.Length; i++)
        {
            var types = streams[i].EventTypes.ToList();
            Assert.Equal("done", types[^1]);
            var backend = backends[int.Parse(streams[i].Single("done").GetProperty("backend").GetString()!["gpu".Length..], System.Globalization.CultureInfo.InvariantCulture)];
            Assert.Equal(backend.ProducedPcm(Assert.Single(backend.Requests, r => r.Text == texts[i])), streams[i].AudioPcm());

            var positions = streams[i].Data("queued").Select(q => q.GetProperty("position").GetInt32()).ToList();
            if (positions.Count == 0)
            {
                continue;
            }

            queued++;
            Assert.Equal(positions.Count, types.TakeWhile(t => t == "queued").Count()); // every queued event comes before meta
            Assert.Equal(positions.OrderByDescending(p => p).Distinct(), positions);  // strictly decreasing
            Assert.InRange(positions[0], 1, 17);
            Assert.All(streams[i].Data("queued"), q => Assert.True(q.GetProperty("estimated_wait_ms").GetDouble() >= 0));
        }

        // Only three could start; the seventeen others waited, and someone at the back saw several places.
        Assert.Equal(17, queued);
        Assert.Contains(streams, s => s.Data("queued").Count() >= 3);
    }

    [Fact]
    public async Task QueueFull_Is503WithRetryAfterAtOnce_AndTheBackendNeverSeesIt()
    {
        await using var backend = await EmulatorInstance.StartAsync(Slow("webui"));
        await using var edge = EdgeApp.Start(backend, new Dictionary<string, string?>
        {
            ["Edge:Admission:MaxQueueLength"] = "1",
            ["Edge:Admission:MaxQueueWait"] = "00:05:00", // were the third request to wait, the test would time out first
        });
        using var client = edge.CreateRealClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        using var running = await OpenAsync(client, string.Concat(Enumerable.Repeat("The first request holds the only GPU. ", 5)), timeout.Token);
        using var waiting = await OpenAsync(client, "The second one waits.", timeout.Token);
        Assert.Equal("queued", await FirstEventAsync(waiting, timeout.Token));

        using var refused = await client.GetAsync("/v1/tts/stream?text=third", timeout.Token);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.InRange(refused.Headers.RetryAfter?.Delta ?? TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60));
        Assert.Contains("queue is full", JsonDocument.Parse(await refused.Content.ReadAsStringAsync(timeout.Token)).RootElement.GetProperty("title").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, backend.RequestCount);

        // A waiter whose client goes away leaves the queue at once.
        Assert.Equal(1, (await FleetStatus.GetAsync(client, timeout.Token)).GetProperty("queue").GetProperty("length").GetInt32());
        waiting.Dispose();
        var afterLeaving = await FleetStatus.WaitUntilAsync(client, s => s.GetProperty("queue").GetProperty("length").GetInt32() == 0, timeout.Token);
        Assert.Equal(1, FleetStatus.Destination(afterLeaving, "gpu0")!.Value.GetProperty("in_flight").GetInt32()); // the first stream still runs: the queue emptied because the waiter left
        Assert.Equal(1, backend.RequestCount);
    }

    [Fact]
    public async Task ShortBackendOutage_QueuedRequestsKeepWaitingInsteadOfBeingSentAway()
    {
        await using var backend = await EmulatorInstance.StartAsync(EmulatorPresets.Paced("webui", realTimeFactor: 0.5, firstChunkMs: 10));
        await using var edge = EdgeApp.Start(backend, new Dictionary<string, string?> { ["ReverseProxy:Clusters:chattts:HealthCheck:Active:Enabled"] = "false" });
        using var client = edge.CreateRealClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        using var running = await OpenAsync(client, "The first request holds the only GPU for a second or so.", timeout.Token);

        // The GPU will say "busy, come back in 3 s" to the next request, which takes it out of rotation for that long.
        // Set now: the queued requests reach the GPU only when the running one ends.
        backend.Faults.Unavailable = true;
        backend.Faults.RetryAfterSeconds = 3;
        var unlucky = SseCapture.GetAsync(client, "/v1/tts/stream?text=second", timeout.Token);
        await FleetStatus.WaitUntilAsync(client, s => s.GetProperty("queue").GetProperty("length").GetInt32() == 1, timeout.Token);
        var patient = SseCapture.GetAsync(client, "/v1/tts/stream?text=third", timeout.Token);
        await FleetStatus.WaitUntilAsync(client, s => s.GetProperty("queue").GetProperty("length").GetInt32() == 2, timeout.Token);
        var second = await unlucky;
        backend.Faults.Clear();
        var third = await patient;

        Assert.Equal("backend_busy", second.Single("error").GetProperty("code").GetString());
        Assert.Equal("done", third.EventTypes.Last());
        Assert.Equal(backend.ProducedPcm(backend.Requests[^1]), third.AudioPcm());
    }

    [Fact]
    public async Task QueueWaitExpires_StreamThatWasQueuedEndsWithRetryableQueueTimeout()
    {
        await using var backend = await EmulatorInstance.StartAsync(Slow("forge"));
        await using var edge = EdgeApp.Start(backend, new Dictionary<string, string?> { ["Edge:Admission:MaxQueueWait"] = "00:00:00.300" });
        using var client = edge.CreateRealClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        using var running = await OpenAsync(client, string.Concat(Enumerable.Repeat("The first request holds the only GPU for a long while. ", 5)), timeout.Token);
        var expired = await SseCapture.GetAsync(client, "/v1/tts/stream?text=second", timeout.Token);

        Assert.Equal(HttpStatusCode.OK, expired.Status); // the stream opened with its first queued event
        Assert.Equal(["queued", "error"], expired.EventTypes.Where(t => t != "meta").ToList());
        var error = expired.Single("error");
        Assert.Equal("queue_timeout", error.GetProperty("code").GetString());
        Assert.True(error.GetProperty("retryable").GetBoolean());
        Assert.Equal(1, backend.RequestCount);
    }

    [Fact]
    public async Task Status_ReportsEachDestinationsDialectCapLoadAndLatency()
    {
        await using var backend = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("chattts-ui"));
        await using var edge = EdgeApp.Start(backend, new Dictionary<string, string?>
        {
            ["ReverseProxy:Clusters:chattts:Destinations:gpu0:Metadata:MaxConcurrency"] = "2",
        });
        using var client = edge.CreateRealClient();

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal("done", (await SseCapture.GetAsync(client, "/v1/tts/stream?text=hello")).EventTypes.Last());
        }

        var status = await FleetStatus.GetAsync(client);
        var gpu = Assert.Single(status.GetProperty("destinations").EnumerateArray());

        Assert.Equal("chattts", status.GetProperty("cluster").GetString());
        Assert.Equal("LeastRequests", status.GetProperty("load_balancing_policy").GetString());
        Assert.Equal(0, status.GetProperty("queue").GetProperty("length").GetInt32());
        Assert.Equal(100, status.GetProperty("queue").GetProperty("max_length").GetInt32());
        Assert.Equal("gpu0", gpu.GetProperty("id").GetString());
        Assert.Equal("chattts-ui", gpu.GetProperty("dialect").GetString());
        Assert.Equal(backend.BaseAddress.AbsoluteUri, gpu.GetProperty("address").GetString());
        Assert.Equal(2, gpu.GetProperty("max_concurrency").GetInt32());
        Assert.Equal(0, gpu.GetProperty("in_flight").GetInt32());
        Assert.Equal(0, gpu.GetProperty("queue_length").GetInt32());
        Assert.Equal(3, gpu.GetProperty("requests").GetInt64());
        Assert.Equal(0, gpu.GetProperty("failures").GetInt64());
        Assert.Equal(0, gpu.GetProperty("retries").GetInt64());
        Assert.True(gpu.GetProperty("available").GetBoolean());
        Assert.False(gpu.GetProperty("draining").GetBoolean());
        Assert.Equal("unknown", gpu.GetProperty("health").GetProperty("passive").GetString());
        var ttfa = gpu.GetProperty("ttfa_ms");
        Assert.Equal(3, ttfa.GetProperty("samples").GetInt32());
        Assert.True(ttfa.GetProperty("p50").GetDouble() > 0);
        Assert.True(ttfa.GetProperty("p99").GetDouble() >= ttfa.GetProperty("p50").GetDouble());
    }

    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    [InlineData("wrong", HttpStatusCode.Unauthorized)]
    [InlineData("s3cret-admin", HttpStatusCode.OK)]
    public async Task Status_WithAnAdminKeyConfigured_RequiresThatKey(string? presented, HttpStatusCode expected)
    {
        await using var edge = EdgeApp.Start([], new Dictionary<string, string?> { ["Edge:Admin:ApiKey"] = "s3cret-admin" });
        using var client = edge.CreateRealClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/backends");
        if (presented is not null)
        {
            request.Headers.Add("X-Admin-Key", presented);
        }

        using var response = await client.SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
    }

    /// <summary>Each synthesis takes a little while, so twenty clients queue up behind three GPUs.</summary>
    private static EmulatorOptions Paced(string dialect) => EmulatorPresets.Paced(dialect, realTimeFactor: 0.15, firstChunkMs: 60);

    /// <summary>Real time: a request keeps the GPU busy for seconds.</summary>
    private static EmulatorOptions Slow(string dialect) => EmulatorPresets.Paced(dialect, realTimeFactor: 1.0, firstChunkMs: 10);

    private static async Task<HttpResponseMessage> OpenAsync(HttpClient client, string text, CancellationToken cancellationToken)
    {
        // split=false: one long text holds one GPU, as these tests need (a split one would spread over the GPUs).
        var response = await client.GetAsync("/v1/tts/stream?split=false&text=" + Uri.EscapeDataString(text), HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response;
    }

    private static async Task<string?> FirstEventAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        // Leaves the stream open: closing it would be the client going away.
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken), leaveOpen: true);
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                return line["event: ".Length..];
            }
        }

        return null;
    }
}
