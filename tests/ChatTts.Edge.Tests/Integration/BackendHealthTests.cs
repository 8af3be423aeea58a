using System.Net;
using System.Text.Json;
using ChatTts.Edge.Tests.Infrastructure;
using ChatTts.Emulator;

namespace ChatTts.Edge.Tests.Integration;

/// <summary>YARP's active health checks, probing each destination on its own dialect's health path.</summary>
public sealed class BackendHealthTests
{
    [Theory]
    [InlineData("forge")]      // GET /v1/ping
    [InlineData("chattts-ui")] // GET /
    public async Task ActiveHealth_FailingProbesTakeTheBackendOutOfRotation_PassingProbesBringItBack(string dialect)
    {
        await using var backend = await EmulatorInstance.StartAsync(EmulatorPresets.Fast(dialect));
        await using var edge = EdgeApp.Start(backend, new Dictionary<string, string?>
        {
            ["ReverseProxy:Clusters:chattts:HealthCheck:Active:Enabled"] = "true",
            ["ReverseProxy:Clusters:chattts:HealthCheck:Active:Interval"] = "00:00:00.200",
            ["ReverseProxy:Clusters:chattts:HealthCheck:Active:Timeout"] = "00:00:02",
            ["ReverseProxy:Clusters:chattts:HealthCheck:Active:Policy"] = "ConsecutiveFailures",
            ["ReverseProxy:Clusters:chattts:HealthCheck:Passive:Enabled"] = "false", // probes alone decide here
        });
        using var client = edge.CreateRealClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        // Healthy on its dialect's probe path: it keeps serving across several probe intervals.
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal("done", (await SseCapture.GetAsync(client, "/v1/tts/stream?text=hi", timeout.Token)).EventTypes.Last());
            await Task.Delay(250, timeout.Token);
        }

        backend.Faults.Fail = true; // synthesis and health answer 500/503 from now on
        while (await ProblemTitleAsync(client, timeout.Token) != "No ChatTTS backend is available")
        {
            await Task.Delay(50, timeout.Token);
        }

        var requestsWhileUnhealthy = backend.RequestCount;
        Assert.Equal("No ChatTTS backend is available", await ProblemTitleAsync(client, timeout.Token));
        Assert.Equal(requestsWhileUnhealthy, backend.RequestCount); // refused by the edge, not sent

        backend.Faults.Clear();
        while ((await SseCapture.GetAsync(client, "/v1/tts/stream?text=hi", timeout.Token)).Status != HttpStatusCode.OK)
        {
            await Task.Delay(50, timeout.Token);
        }
    }

    private static async Task<string?> ProblemTitleAsync(HttpClient client, CancellationToken cancellationToken)
    {
        using var response = await client.GetAsync("/v1/tts/stream?text=hi", cancellationToken);
        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken)).RootElement.GetProperty("title").GetString();
    }
}
