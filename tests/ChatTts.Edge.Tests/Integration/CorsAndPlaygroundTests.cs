using System.Net;
using ChatTts.Edge.Tests.Infrastructure;
using ChatTts.Emulator;

namespace ChatTts.Edge.Tests.Integration;

public sealed class CorsAndPlaygroundTests
{
    [Fact]
    public async Task Get_FromAnAllowedOrigin_CarriesCorsHeadersOnTheStream()
    {
        await using var backend = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("webui"));
        await using var edge = EdgeApp.Start(backend, Origins("https://app.example.com"));
        using var client = edge.CreateRealClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/tts/stream?text=hi");
        request.Headers.Add("Origin", "https://app.example.com");

        var stream = await SseCapture.SendAsync(client, request);

        Assert.Equal(HttpStatusCode.OK, stream.Status);
        Assert.Equal("https://app.example.com", stream.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("Retry-After", stream.Headers.GetValues("Access-Control-Expose-Headers").Single());
    }

    [Fact]
    public async Task Preflight_ForAJsonPost_FromAnAllowedOrigin_IsAllowed()
    {
        await using var edge = EdgeApp.Start([], Origins("https://app.example.com"));
        using var client = edge.CreateRealClient();
        using var request = new HttpRequestMessage(HttpMethod.Options, "/v1/tts/stream");
        request.Headers.Add("Origin", "https://app.example.com");
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "content-type,authorization");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("https://app.example.com", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("POST", response.Headers.GetValues("Access-Control-Allow-Methods").Single());
    }

    [Theory]
    [InlineData("/admin/backends")]
    [InlineData("/metrics")]
    public async Task Get_OperatorEndpointFromAnyOriginUnderAWildcard_GetsNoCorsHeaders(string path)
    {
        await using var edge = EdgeApp.Start([], Origins("*"));
        using var client = edge.CreateRealClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Origin", "https://evil.example.com");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode); // loopback may read it; other sites' pages may not
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));

        using var stream = new HttpRequestMessage(HttpMethod.Options, "/v1/tts/stream");
        stream.Headers.Add("Origin", "https://evil.example.com");
        stream.Headers.Add("Access-Control-Request-Method", "GET");
        using var preflight = await client.SendAsync(stream);
        Assert.Equal("*", preflight.Headers.GetValues("Access-Control-Allow-Origin").Single()); // the API itself still is cross-origin
    }

    [Theory]
    [InlineData("https://evil.example.com", "https://app.example.com")]
    [InlineData("https://app.example.com", null)] // no list: same origin only
    public async Task Get_FromAnotherOrigin_GetsNoCorsHeaders(string origin, string? allowed)
    {
        await using var backend = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("webui"));
        await using var edge = EdgeApp.Start(backend, allowed is null ? null : Origins(allowed));
        using var client = edge.CreateRealClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/tts/stream?text=hi");
        request.Headers.Add("Origin", origin);

        var stream = await SseCapture.SendAsync(client, request);

        Assert.Equal(HttpStatusCode.OK, stream.Status);
        Assert.Equal("done", stream.EventTypes.Last());
        Assert.False(stream.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Root_ServesThePlaygroundWithoutExternalResources()
    {
        await using var edge = EdgeApp.Start([]);
        using var client = edge.CreateRealClient();

        using var page = await client.GetAsync("/");
        var html = await page.Content.ReadAsStringAsync();
        using var script = await client.GetAsync("/app.js");
        var js = await script.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("id=\"play\"", html);
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Contains("EventSource", js);
        Assert.Contains("decodeAudioData", js);
        Assert.DoesNotContain("https://", html + js);
    }

    private static Dictionary<string, string?> Origins(string origin) => new() { ["Edge:Cors:AllowedOrigins:0"] = origin };
}
