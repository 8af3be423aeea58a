using System.Net;
using System.Text.Json;
using ChatTts.Edge.Tests.Infrastructure;
using ChatTts.Emulator;

namespace ChatTts.Edge.Tests.Api;

/// <summary><c>/healthz</c>, <c>/readyz</c> and <c>/readyz/pod</c>, as Kubernetes and compose probes use them.</summary>
public sealed class HealthEndpointTests
{
    [Fact]
    public async Task Healthz_WithoutAnyBackend_IsAliveButNotReady()
    {
        await using var edge = EdgeApp.Start([]);
        using var client = edge.CreateRealClient();

        var (alive, _) = await GetAsync(client, "/healthz");
        var (ready, report) = await GetAsync(client, "/readyz");
        var (podReady, podReport) = await GetAsync(client, "/readyz/pod");

        Assert.Equal(HttpStatusCode.OK, alive);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready);
        Assert.Equal(HttpStatusCode.OK, podReady); // no GPU: the edge answers 503 itself, so the pod stays in the balancer
        Assert.False(podReport.GetProperty("checks").TryGetProperty("backends", out _));
        Assert.Equal("Healthy", podReport.GetProperty("checks").GetProperty("shutdown").GetProperty("status").GetString());
        Assert.Equal("Unhealthy", report.GetProperty("checks").GetProperty("backends").GetProperty("status").GetString());
        Assert.Equal("Healthy", report.GetProperty("checks").GetProperty("quota-store").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Readyz_EveryBackendDown_IsUnhealthy_AndHealthyAgainWhenOneReturns()
    {
        await using var backend = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("forge"));
        await using var edge = EdgeApp.Start(backend, new Dictionary<string, string?>
        {
            ["ReverseProxy:Clusters:chattts:HealthCheck:Active:Enabled"] = "true",
            ["ReverseProxy:Clusters:chattts:HealthCheck:Active:Interval"] = "00:00:00.200",
            ["ReverseProxy:Clusters:chattts:HealthCheck:Active:Policy"] = "ConsecutiveFailures",
        });
        using var client = edge.CreateRealClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        Assert.Equal(HttpStatusCode.OK, (await GetAsync(client, "/readyz")).Status);
        backend.Faults.Fail = true; // its health endpoint answers 503 from now on
        await WaitForAsync(client, HttpStatusCode.ServiceUnavailable, timeout.Token);
        backend.Faults.Clear();
        var (status, report) = await WaitForAsync(client, HttpStatusCode.OK, timeout.Token);

        Assert.Equal("Healthy", report.GetProperty("status").GetString());
        Assert.Contains("1 of 1 backends available", report.GetProperty("checks").GetProperty("backends").GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Theory]
    [InlineData("Open", HttpStatusCode.OK, "Degraded")]
    [InlineData("Closed", HttpStatusCode.ServiceUnavailable, "Unhealthy")]
    public async Task Readyz_RedisDown_DependsOnTheFailureMode(string failureMode, HttpStatusCode expected, string quotaStatus)
    {
        await using var redis = await RedisServer.StartAsync();
        await using var backend = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("webui"));
        await using var edge = EdgeApp.Start(backend, QuotaSettings.Alice(redis.Configuration, failureMode: failureMode));
        using var client = edge.CreateRealClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        Assert.Equal(HttpStatusCode.OK, (await GetAsync(client, "/readyz")).Status);
        await redis.StopAsync();
        var (status, report) = await WaitForAsync(client, expected, timeout.Token, r => r.GetProperty("checks").GetProperty("quota-store").GetProperty("status").GetString() == quotaStatus);

        Assert.Equal(expected, status);
    }

    private static async Task<(HttpStatusCode Status, JsonElement Report)> GetAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    private static async Task<(HttpStatusCode Status, JsonElement Report)> WaitForAsync(HttpClient client, HttpStatusCode status, CancellationToken cancellationToken, Func<JsonElement, bool>? also = null)
    {
        while (true)
        {
            var result = await GetAsync(client, "/readyz");
            if (result.Status == status && (also?.Invoke(result.Report) ?? true))
            {
                return result;
            }

            await Task.Delay(50, cancellationToken);
        }
    }
}
