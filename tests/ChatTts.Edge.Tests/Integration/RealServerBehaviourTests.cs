using System.Globalization;
using System.Net;
using System.Text.Json;
using ChatTts.Edge.Tests.Infrastructure;
using ChatTts.Emulator;

namespace ChatTts.Edge.Tests.Integration;

/// <summary>
/// How the real ChatTTS servers behave (DESIGN §2), emulated, and what the edge must make of it: a GPU busy with the
/// edge's own work is not dead, a GPU that computes on after its client left is not given a second synthesis, and a
/// server's "your request is wrong" is never a GPU failure.
/// </summary>
public sealed class RealServerBehaviourTests
{
    [Fact]
    public async Task HealthBlockedWhileSynthesizing_LongSynthesisThenAnImmediateSecondRequest_ServedByteExactAndTheGpuStaysHealthy()
    {
        // openai_api.py answers no health probe while it synthesizes.
        await using var gpu = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("chattts-openai"));
        Assert.True(gpu.HealthBlocksDuringSynthesis);
        await using var edge = EdgeApp.Start(gpu, ActiveHealth());
        using var client = edge.CreateRealClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await FleetStatus.WaitUntilAsync(client, s => Health(s, "gpu0").Active == "healthy", timeout.Token);

        gpu.Faults.Hold = true; // a long synthesis: the GPU is taken, its health path silent
        var first = SseCapture.GetAsync(client, "/v1/tts/stream?text=" + Uri.EscapeDataString("The first, long synthesis."), timeout.Token);
        await FleetStatus.WaitUntilAsync(client, s => FleetStatus.Destination(s, "gpu0")!.Value.GetProperty("in_flight").GetInt32() == 1, timeout.Token);
        await Task.Delay(TimeSpan.FromSeconds(3.5), timeout.Token); // three probe rounds time out meanwhile (interval 1 s, timeout 0.3 s)
        Assert.NotEqual("unhealthy", Health(await FleetStatus.GetAsync(client, timeout.Token), "gpu0").Active); // busy, not dead
        gpu.Faults.Hold = false;
        Assert.Equal("done", (await first).EventTypes.Last());

        var second = await SseCapture.GetAsync(client, "/v1/tts/stream?text=" + Uri.EscapeDataString("The second request, at once."), timeout.Token);

        Assert.Equal(HttpStatusCode.OK, second.Status);
        Assert.Equal("done", second.EventTypes.Last());
        Assert.Equal(gpu.ProducedPcm(gpu.Requests[^1]), second.AudioPcm());
        Assert.NotEqual("unhealthy", Health(await FleetStatus.GetAsync(client, timeout.Token), "gpu0").Active);
    }

    [Theory]
    [InlineData("first-audio timeout")]
    [InlineData("client gone")]
    public async Task KeepsComputingAfterTheEdgeLetsGo_TheNextRequestWaitsForTheGpuToFinish(string abandonment)
    {
        // ChatTTS-ui builds its whole WAV after its client leaves, and runs requests side by side.
        await using var gpu = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("chattts-ui"));
        Assert.True(gpu.KeepsComputingAfterDisconnect && gpu.RunsInParallel);
        await using var edge = EdgeApp.Start(gpu, new Dictionary<string, string?>
        {
            ["Edge:Streaming:FirstAudioTimeout"] = abandonment == "client gone" ? "00:01:00" : "00:00:00.300",
            ["Edge:Streaming:KeepAliveInterval"] = "00:00:00.200",
        });
        using var client = edge.CreateRealClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        gpu.Faults.Hold = true;
        if (abandonment == "client gone")
        {
            // The stream opens with a keepalive; the client reads meta and leaves.
            var response = await client.GetAsync("/v1/tts/stream?text=abandoned", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            using (var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token)))
            {
                Assert.Equal("retry: 1000", await reader.ReadLineAsync(timeout.Token));
                Assert.Equal("", await reader.ReadLineAsync(timeout.Token));
                Assert.Equal("event: meta", await reader.ReadLineAsync(timeout.Token));
            }

            response.Dispose();
        }
        else
        {
            var abandoned = await SseCapture.GetAsync(client, "/v1/tts/stream?text=abandoned", timeout.Token);
            Assert.Contains("error", abandoned.EventTypes); // the keepalive opened the stream: the timeout is an error event
            Assert.Equal("backend_timeout", abandoned.Single("error").GetProperty("code").GetString());
        }

        // The GPU is still computing the abandoned synthesis: its slot is "finishing", not free.
        await FleetStatus.WaitUntilAsync(client, s => FleetStatus.Destination(s, "gpu0")!.Value.GetProperty("finishing").GetInt32() == 1, timeout.Token);
        var next = SseCapture.GetAsync(client, "/v1/tts/stream?text=next", timeout.Token);
        await FleetStatus.WaitUntilAsync(client, s => s.GetProperty("queue").GetProperty("length").GetInt32() == 1, timeout.Token);
        gpu.Faults.Hold = false;

        var served = await next;
        Assert.Equal("done", served.EventTypes.Last());
        Assert.Contains("queued", served.EventTypes);
        Assert.Equal(gpu.ProducedPcm(gpu.Requests[^1]), served.AudioPcm());
        Assert.Equal(1, gpu.PeakConcurrentSyntheses);
        var status = await FleetStatus.DestinationAsync(client, "gpu0", timeout.Token);
        Assert.Equal(0, status.GetProperty("finishing").GetInt32());
        Assert.Equal(0, status.GetProperty("in_flight").GetInt32());
    }

    public static TheoryData<string> Dialects => ["webui", "chattts-openai", "forge", "chattts-ui"];

    [Theory]
    [MemberData(nameof(Dialects))]
    public async Task EveryPublicParameterAtBothEndsOfItsRange_IsServedOrRefusedAs400_NeverA5xx_AndTheGpuStaysHealthy(string dialect)
    {
        await using var gpu = await EmulatorInstance.StartAsync(EmulatorPresets.Fast(dialect));
        await using var edge = EdgeApp.Start(gpu);
        using var client = edge.CreateRealClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        string[] fields =
        [
            "seed=0", "seed=2147483647", "speed=1", "speed=9", "temperature=0", "temperature=1", "top_p=0", "top_p=1",
            "top_k=1", "top_k=100", "chunk_ms=20", "chunk_ms=2000", "voice=" + Voice(dialect),
        ];
        string[] texts = ["a", string.Concat(Enumerable.Repeat("Speak. ", 2000 / 7)) + "Hi"];

        foreach (var field in fields.Select(f => "&" + f).Concat(texts.Select(t => "&chunk_ms=2000&split=false#" + t)))
        {
            var text = field.Contains('#', StringComparison.Ordinal) ? field[(field.IndexOf('#', StringComparison.Ordinal) + 1)..] : "Hello there.";
            var query = field.Split('#')[0];
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/tts/stream") { Content = StreamingEndToEndTests.JsonContent(Body(text, query)) };
            var stream = await SseCapture.SendAsync(client, request, timeout.Token);

            Assert.True(stream.Status is HttpStatusCode.OK or HttpStatusCode.BadRequest, $"{dialect} {query}: {(int)stream.Status} {stream.Body}");
            if (stream.Status == HttpStatusCode.OK)
            {
                Assert.Equal("done", stream.EventTypes.Last());
                Assert.Equal(gpu.ProducedPcm(gpu.Requests[^1]), stream.AudioPcm());
            }
            else
            {
                Assert.Equal("application/problem+json", stream.ContentHeaders.ContentType?.MediaType);
            }
        }

        // Ten requests the GPU refuses as wrong (where its own checks are stricter than the edge's) leave it healthy.
        Assert.Equal("done", (await SseCapture.GetAsync(client, "/v1/tts/stream?text=still+healthy", timeout.Token)).EventTypes.Last());
        var health = Health(await FleetStatus.GetAsync(client, timeout.Token), "gpu0");
        Assert.NotEqual("unhealthy", health.Passive);
        Assert.All(gpu.Requests.Where(r => r.HasBody), r => Assert.NotNull(r.ContentLength)); // never a chunked body
    }

    [Fact]
    public async Task BackendsOwnValidationError_IsTheClients400_NotRetriedAndNotCountedAgainstTheGpu()
    {
        // forge refuses speaker names it does not know with 422, which the edge cannot know in advance.
        await using var first = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("forge"));
        await using var second = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("forge"));
        await using var edge = EdgeApp.Start([first, second]);
        using var client = edge.CreateRealClient();

        for (var i = 0; i < 10; i++)
        {
            using var response = await client.GetAsync("/v1/tts/stream?text=hello&voice=nobody" + i.ToString(CultureInfo.InvariantCulture));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.Contains("Invalid speaker", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        Assert.Equal(10, first.RequestCount + second.RequestCount); // each tried once, never retried elsewhere
        var status = await FleetStatus.GetAsync(client);
        Assert.All(status.GetProperty("destinations").EnumerateArray(), d =>
        {
            Assert.Equal("unknown", d.GetProperty("health").GetProperty("passive").GetString());
            Assert.Equal(0, d.GetProperty("failures").GetInt64());
        });
        Assert.Equal("done", (await SseCapture.GetAsync(client, "/v1/tts/stream?text=hello&voice=Alice")).EventTypes.Last());
    }

    private static Dictionary<string, string?> ActiveHealth() => new()
    {
        ["ReverseProxy:Clusters:chattts:HealthCheck:Active:Enabled"] = "true",
        ["ReverseProxy:Clusters:chattts:HealthCheck:Active:Interval"] = "00:00:01",
        ["ReverseProxy:Clusters:chattts:HealthCheck:Active:Timeout"] = "00:00:00.300",
    };

    private static (string Active, string Passive) Health(JsonElement status, string id)
    {
        var health = FleetStatus.Destination(status, id)!.Value.GetProperty("health");
        return (health.GetProperty("active").GetString()!, health.GetProperty("passive").GetString()!);
    }

    private static string Voice(string dialect) => dialect switch
    {
        "chattts-openai" => "echo",
        "forge" => "Alice",
        "chattts-ui" => "2222",
        _ => "",
    };

    private static string Body(string text, string query)
    {
        var fields = new Dictionary<string, object> { ["text"] = text };
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var (name, value) = (pair[..pair.IndexOf('=', StringComparison.Ordinal)], pair[(pair.IndexOf('=', StringComparison.Ordinal) + 1)..]);
            if (value.Length > 0)
            {
                fields[name] = name == "voice" ? value : name == "split" ? bool.Parse(value) : double.Parse(value, CultureInfo.InvariantCulture);
            }
        }

        return JsonSerializer.Serialize(fields);
    }
}
