using System.Net;
using ChatTts.Edge.Tests.Infrastructure;
using ChatTts.Emulator;

namespace ChatTts.Edge.Tests.Callers;

/// <summary>
/// Behind a balancer every caller comes from the balancer's address: a trusted one's <c>X-Forwarded-For</c> names the
/// real client (its anonymous limit, the admin loopback rule); anyone else's is ignored.
/// </summary>
public sealed class ForwardedHeadersTests
{
    [Fact]
    public async Task TrustedForwarder_TwoClientsBehindIt_GetAnonymousLimitsOfTheirOwn()
    {
        await using var gpu = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("webui"));
        await using var edge = EdgeApp.Start(gpu, OneRequestPerClient(trusted: true));
        using var client = edge.CreateRealClient();

        Assert.Equal(HttpStatusCode.OK, await StreamAsync(client, "203.0.113.7"));
        Assert.Equal(HttpStatusCode.OK, await StreamAsync(client, "198.51.100.23")); // another client: its own limit
        Assert.Equal(HttpStatusCode.TooManyRequests, await StreamAsync(client, "203.0.113.7")); // the first, again
        Assert.Equal(HttpStatusCode.TooManyRequests, await StreamAsync(client, "192.0.2.1, 203.0.113.7")); // only the last entry, the forwarder's own, counts
    }

    [Fact]
    public async Task UntrustedPeer_ItsForwardedHeaderIsIgnored()
    {
        await using var gpu = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("webui"));
        await using var edge = EdgeApp.Start(gpu, OneRequestPerClient(trusted: false));
        using var client = edge.CreateRealClient();

        Assert.Equal(HttpStatusCode.OK, await StreamAsync(client, "203.0.113.7"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await StreamAsync(client, "198.51.100.23")); // still the same peer, whatever it claims
    }

    [Fact]
    public async Task TrustedForwarder_TheAdminLoopbackRuleSeesTheRealClient()
    {
        await using var edge = EdgeApp.Start([], OneRequestPerClient(trusted: true));
        using var client = edge.CreateRealClient();
        using var remote = new HttpRequestMessage(HttpMethod.Get, "/admin/backends");
        remote.Headers.Add("X-Forwarded-For", "203.0.113.7");

        using var refused = await client.SendAsync(remote);
        using var local = await client.GetAsync("/admin/backends");

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode); // forwarded from afar: not a loopback client
        Assert.Equal(HttpStatusCode.OK, local.StatusCode);
    }

    private static Dictionary<string, string?> OneRequestPerClient(bool trusted)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Edge:Quotas:Plans:anonymous:RequestsPerMinute"] = "1",
            ["Edge:Quotas:Plans:anonymous:Burst"] = "1",
        };
        if (trusted)
        {
            settings["Edge:ForwardedHeaders:KnownProxies:0"] = "127.0.0.1";
        }

        return settings;
    }

    private static async Task<HttpStatusCode> StreamAsync(HttpClient client, string forwardedFor)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/tts/stream?text=hello");
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        using var response = await client.SendAsync(request);
        await response.Content.ReadAsStringAsync();
        return response.StatusCode;
    }
}
