using System.Net;
using ChatTts.Edge.Tests.Infrastructure;
using ChatTts.Emulator;

namespace ChatTts.Edge.Tests.Integration;

/// <summary>The proxy run from its output folder, configured by its files plus environment variables.</summary>
public sealed class DeploymentTests
{
    [Fact]
    public async Task OutputFolder_DemoEnvironment_ServesThePlaygroundAndStreamsFromEachDemoBackendsDialect()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var slow = new Func<string, EmulatorOptions>(dialect => new EmulatorOptions { Dialect = dialect, FirstChunkDelay = TimeSpan.FromMilliseconds(50), RealTimeFactor = 0.5 });
        await using var webui = await EmulatorInstance.StartAsync(slow("webui"), timeout.Token);
        await using var openai = await EmulatorInstance.StartAsync(slow("chattts-openai"), timeout.Token);
        await using var forge = await EmulatorInstance.StartAsync(slow("forge"), timeout.Token);

        // appsettings.Demo.json names the three destinations and their dialects; only the addresses change here.
        await using var proxy = await ProxyProcess.StartAsync(new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Demo",
            ["ReverseProxy__Clusters__chattts__Destinations__demo-webui__Address"] = webui.BaseAddress.AbsoluteUri,
            ["ReverseProxy__Clusters__chattts__Destinations__demo-openai__Address"] = openai.BaseAddress.AbsoluteUri,
            ["ReverseProxy__Clusters__chattts__Destinations__demo-forge__Address"] = forge.BaseAddress.AbsoluteUri,
        }, timeout.Token);
        using var client = new HttpClient { BaseAddress = proxy.Address };

        using var page = await client.GetAsync("/", timeout.Token);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);

        // Three streams in flight at once: LeastRequests puts each on a different backend. Each GPU holds its
        // synthesis until all three have arrived, so none ends before the next is placed.
        EmulatorInstance[] fleet = [webui, openai, forge];
        Array.ForEach(fleet, backend => backend.Faults.Hold = true);
        var streams = new List<Task<SseCapture>>();
        foreach (var backend in fleet)
        {
            var others = webui.RequestCount + openai.RequestCount + forge.RequestCount;
            streams.Add(SseCapture.GetAsync(client, "/v1/tts/stream?text=" + Uri.EscapeDataString("Three backends, one edge. 三个后端。"), timeout.Token));
            while (webui.RequestCount + openai.RequestCount + forge.RequestCount == others)
            {
                await Task.Delay(20, timeout.Token);
            }
        }

        Array.ForEach(fleet, backend => backend.Faults.Hold = false);
        var results = await Task.WhenAll(streams);
        Assert.All(results, r => Assert.Equal("done", r.EventTypes.Last()));
        Assert.Equal(["demo-forge", "demo-openai", "demo-webui"], results.Select(r => r.Single("done").GetProperty("backend").GetString()).Order());
        foreach (var (result, backend) in results.Select(r => (r, r.Single("done").GetProperty("backend").GetString() switch
        {
            "demo-webui" => webui,
            "demo-openai" => openai,
            _ => forge,
        })))
        {
            Assert.Equal(backend.ProducedPcm(Assert.Single(backend.Requests)), result.AudioPcm());
        }
    }
}
