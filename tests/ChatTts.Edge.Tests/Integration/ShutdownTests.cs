using System.Net;
using ChatTts.Edge.Tests.Infrastructure;
using ChatTts.Emulator;

namespace ChatTts.Edge.Tests.Integration;

/// <summary>The proxy process receives SIGTERM (a deploy, a scale-in) while streams are open.</summary>
public sealed class ShutdownTests
{
    [Fact]
    public async Task Sigterm_WithFiveOpenStreams_LetsEveryStreamFinishAndExitsZero()
    {
        await using var webui = await EmulatorInstance.StartAsync(Paced("webui"));
        await using var forge = await EmulatorInstance.StartAsync(Paced("forge"));
        await using var proxy = await ProxyProcess.StartAsync(Environment(webui, forge, drainTimeout: "00:00:30"), CancellationToken.None);
        using var client = new HttpClient { BaseAddress = proxy.Address, Timeout = Timeout.InfiniteTimeSpan };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var texts = Enumerable.Range(0, 5).Select(i => $"Stream {i} is still playing when the proxy is told to stop.").ToList();

        // Two GPUs, five streams: two synthesize, three wait in the queue. All five are open (200) before SIGTERM.
        var streams = await OpenAllAsync(client, texts, timeout.Token);
        var exitCode = await proxy.TerminateAsync(timeout.Token);
        var captures = await Task.WhenAll(streams);

        Assert.Equal(0, exitCode);
        for (var i = 0; i < texts.Count; i++)
        {
            Assert.Equal("done", captures[i].EventTypes.Last());
            var backend = captures[i].Single("done").GetProperty("backend").GetString() == "gpu0" ? webui : forge;
            Assert.Equal(backend.ProducedPcm(Assert.Single(backend.Requests, r => r.Text == texts[i])), captures[i].AudioPcm());
        }
    }

    [Fact]
    public async Task Sigterm_StreamsOutlastTheDrainTimeout_EndWithRetryableErrorAndTheProcessExitsZero()
    {
        await using var webui = await EmulatorInstance.StartAsync(Paced("webui"));
        await using var forge = await EmulatorInstance.StartAsync(Paced("forge"));
        webui.Faults.Stall = true; // both GPUs hang: no stream could ever finish
        forge.Faults.Stall = true;
        await using var proxy = await ProxyProcess.StartAsync(Environment(webui, forge, drainTimeout: "00:00:01"), CancellationToken.None);
        using var client = new HttpClient { BaseAddress = proxy.Address, Timeout = Timeout.InfiniteTimeSpan };
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var texts = Enumerable.Range(0, 5).Select(i => $"Stalled stream {i}.").ToList();

        var streams = await OpenAllAsync(client, texts, timeout.Token);
        var exitCode = await proxy.TerminateAsync(timeout.Token);
        var captures = await Task.WhenAll(streams);

        Assert.Equal(0, exitCode);
        Assert.All(captures, capture =>
        {
            Assert.Equal("error", capture.EventTypes.Last());
            var error = capture.Single("error");
            Assert.Equal("shutting_down", error.GetProperty("code").GetString());
            Assert.True(error.GetProperty("retryable").GetBoolean());
        });
    }

    private static EmulatorOptions Paced(string dialect) => EmulatorPresets.Paced(dialect, realTimeFactor: 0.2);

    private static Dictionary<string, string> Environment(EmulatorInstance first, EmulatorInstance second, string drainTimeout) => new()
    {
        ["ASPNETCORE_ENVIRONMENT"] = "Testing",
        ["ReverseProxy__Clusters__chattts__Destinations__gpu0__Address"] = first.BaseAddress.AbsoluteUri,
        ["ReverseProxy__Clusters__chattts__Destinations__gpu0__Metadata__Dialect"] = first.Dialect,
        ["ReverseProxy__Clusters__chattts__Destinations__gpu1__Address"] = second.BaseAddress.AbsoluteUri,
        ["ReverseProxy__Clusters__chattts__Destinations__gpu1__Metadata__Dialect"] = second.Dialect,
        ["Edge__Shutdown__DrainTimeout"] = drainTimeout,
        ["Edge__Quotas__AllowAnonymous"] = "true",
        ["Edge__Quotas__Plans__anonymous__ConcurrentStreams"] = "100",
        ["Edge__Quotas__Plans__anonymous__Burst"] = "100",
        ["Edge__Streaming__KeepAliveInterval"] = "00:00:00.200", // stalled streams open (with keepalives) before the signal
    };

    /// <summary>Starts one stream per text and returns once every one has answered 200; their bodies are read to the end meanwhile.</summary>
    private static async Task<List<Task<SseCapture>>> OpenAllAsync(HttpClient client, List<string> texts, CancellationToken cancellationToken)
    {
        var opened = texts.Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToList();
        var streams = texts.Select((text, i) => ReadAsync(client, text, opened[i], cancellationToken)).ToList();
        await Task.WhenAll(opened.Select(o => o.Task)).WaitAsync(cancellationToken);
        return streams;
    }

    private static async Task<SseCapture> ReadAsync(HttpClient client, string text, TaskCompletionSource opened, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await client.GetAsync("/v1/tts/stream?text=" + Uri.EscapeDataString(text), HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            opened.SetResult();
        }
        catch (Exception ex)
        {
            opened.TrySetException(ex);
            throw;
        }

        using var owned = response;
        return new SseCapture
        {
            Status = response.StatusCode,
            Headers = response.Headers,
            ContentHeaders = response.Content.Headers,
            Body = await response.Content.ReadAsStringAsync(cancellationToken),
        };
    }
}
