using System.Net;
using ChatTts.Edge.Tests.Infrastructure;
using ChatTts.Emulator;

namespace ChatTts.Edge.Tests.Integration;

/// <summary>Backends that fail: retries on other backends before any audio, passive health, errors after audio.</summary>
public sealed class FleetFailoverTests
{
    private static readonly Dictionary<string, string?> PassiveHealthOnly = new()
    {
        // Active probes would find the broken backends on their own; these tests are about what requests teach the edge.
        ["ReverseProxy:Clusters:chattts:HealthCheck:Active:Enabled"] = "false",
    };

    [Fact]
    public async Task FiftyStreams_OneBackend503_OneRefusing_OneHealthy_AllCompleteByteExactAndTheFailingOnesAreLeftAlone()
    {
        await using var unavailable = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("chattts-openai"));
        await using var refusing = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("forge"));
        await using var healthy = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("webui"));
        unavailable.Faults.Unavailable = true;
        unavailable.Faults.RetryAfterSeconds = 30;
        refusing.Faults.Refuse = true;
        await using var edge = EdgeApp.Start([unavailable, refusing, healthy], PassiveHealthOnly);
        using var client = edge.CreateRealClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        var texts = Enumerable.Range(0, 50).Select(i => $"Stream {i} must survive two broken GPUs.").ToList();
        var streams = await Task.WhenAll(texts.Select(text =>
            SseCapture.GetAsync(client, "/v1/tts/stream?text=" + Uri.EscapeDataString(text), timeout.Token)));

        for (var i = 0; i < texts.Count; i++)
        {
            Assert.Equal(HttpStatusCode.OK, streams[i].Status);
            Assert.Equal("done", streams[i].EventTypes.Last());
            Assert.Equal("gpu2", streams[i].Single("done").GetProperty("backend").GetString());
            var synthesis = Assert.Single(healthy.Requests, r => r.Text == texts[i]);
            Assert.Equal(healthy.ProducedPcm(synthesis), streams[i].AudioPcm());
        }

        // The 503 carried Retry-After: one request was enough. The refusing one is out after two connection failures.
        Assert.Equal(1, unavailable.RequestCount);
        var status = await FleetStatus.GetAsync(client, timeout.Token);
        var broken = FleetStatus.Destination(status, "gpu1")!.Value;
        Assert.Equal(2, broken.GetProperty("failures").GetInt64()); // the threshold; then it is left alone
        Assert.Equal(broken.GetProperty("failures").GetInt64(), broken.GetProperty("retries").GetInt64());
        Assert.Equal("unhealthy", broken.GetProperty("health").GetProperty("passive").GetString());
        Assert.Equal("unhealthy", FleetStatus.Destination(status, "gpu0")!.Value.GetProperty("health").GetProperty("passive").GetString());
        Assert.Equal(50, FleetStatus.Destination(status, "gpu2")!.Value.GetProperty("requests").GetInt64());
    }

    [Fact]
    public async Task BackendDiesMidStream_ThatStreamEndsWithRetryableError_LaterStreamsGoToTheOthers()
    {
        await using var dying = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("chattts-openai"));
        await using var healthy = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("forge"));
        dying.Faults.DieAfterBytes = 60_000;
        var settings = new Dictionary<string, string?>(PassiveHealthOnly)
        {
            ["ReverseProxy:Clusters:chattts:LoadBalancingPolicy"] = "FirstAlphabetical", // the first stream goes to gpu0
        };
        await using var edge = EdgeApp.Start([dying, healthy], settings);
        using var client = edge.CreateRealClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        const string text = "This sentence is long enough that its audio spans many chunks, so the GPU can die in the middle.";

        var broken = await SseCapture.GetAsync(client, "/v1/tts/stream?chunk_ms=100&text=" + Uri.EscapeDataString(text), timeout.Token);

        Assert.Equal(HttpStatusCode.OK, broken.Status);
        Assert.DoesNotContain("done", broken.EventTypes);
        Assert.Equal("error", broken.EventTypes.Last());
        var error = broken.Single("error");
        Assert.True(error.GetProperty("retryable").GetBoolean());
        var audio = broken.Data("audio").ToList();
        Assert.NotEmpty(audio);
        Assert.Equal(audio[^1].GetProperty("seq").GetInt64(), error.GetProperty("last_seq").GetInt64());

        // The GPU process is gone now: its port refuses. Later streams reach the other backend, before any audio.
        dying.Faults.DieAfterBytes = null;
        dying.Faults.Refuse = true;
        for (var i = 0; i < 4; i++)
        {
            var later = await SseCapture.GetAsync(client, "/v1/tts/stream?text=" + Uri.EscapeDataString($"Later stream {i}."), timeout.Token);
            Assert.Equal("done", later.EventTypes.Last());
            Assert.Equal("gpu1", later.Single("done").GetProperty("backend").GetString());
            Assert.Equal(healthy.ProducedPcm(healthy.Requests[^1]), later.AudioPcm());
        }

        Assert.Equal(1, dying.RequestCount);
        Assert.InRange((await FleetStatus.DestinationAsync(client, "gpu0", timeout.Token)).GetProperty("failures").GetInt64(), 2, 3);
    }

    [Fact]
    public async Task EveryBackendUnhealthy_Is503AtOnceWithoutTryingThem()
    {
        await using var first = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("webui"));
        await using var second = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("forge"));
        first.Faults.Fail = true;
        second.Faults.Fail = true;
        await using var edge = EdgeApp.Start([first, second], PassiveHealthOnly);
        using var client = edge.CreateRealClient();

        // Two failures each take both out (the threshold is 2); every later request is refused by the edge itself.
        for (var i = 0; i < 4; i++)
        {
            using var failed = await client.GetAsync("/v1/tts/stream?text=hi");
            Assert.NotEqual(HttpStatusCode.OK, failed.StatusCode);
        }

        var sent = first.RequestCount + second.RequestCount;
        using var refused = await client.GetAsync("/v1/tts/stream?text=hi");

        Assert.Equal(4, sent);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.True(refused.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Assert.Equal(sent, first.RequestCount + second.RequestCount);
    }
}
