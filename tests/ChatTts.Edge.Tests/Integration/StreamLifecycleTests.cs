using System.Net;
using ChatTts.Edge.Tests.Infrastructure;
using ChatTts.Emulator;

namespace ChatTts.Edge.Tests.Integration;

public sealed class StreamLifecycleTests
{
    [Fact]
    public async Task ClientDisconnect_CancelsTheBackendSynthesisWithinASecond()
    {
        await using var backend = await EmulatorInstance.StartAsync(new EmulatorOptions
        {
            Dialect = "forge",
            FirstChunkDelay = TimeSpan.FromMilliseconds(10),
            RealTimeFactor = 1.0, // real time: the synthesis would run for many seconds
        });
        await using var edge = EdgeApp.Start(backend);
        using var client = edge.CreateRealClient();
        var text = string.Concat(Enumerable.Repeat("A long text keeps the GPU busy for a long while. ", 10));

        var response = await client.GetAsync("/v1/tts/stream?text=" + Uri.EscapeDataString(text), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        while (await reader.ReadLineAsync() is { } line && line != "event: audio")
        {
        }

        Assert.Equal(0, backend.AbortedCount);
        reader.Dispose(); // closes the connection mid-stream, as a closed browser tab does
        response.Dispose();

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        await backend.WaitForAbortAsync(deadline.Token);
        Assert.Equal(1, backend.AbortedCount);
    }

    [Fact]
    public async Task SlowFirstAudio_StreamOpensWithKeepalivesWhileWaiting()
    {
        var time = new ManualTimeProvider();
        await using var backend = await EmulatorInstance.StartAsync(StreamingEndToEndTests.Fast("webui"));
        backend.Faults.Stall = true; // answers, then sends no audio
        await using var edge = EdgeApp.Start(backend, new Dictionary<string, string?> { ["Edge:Streaming:KeepAliveInterval"] = "00:00:05" }, time);
        using var client = edge.CreateRealClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var pending = client.GetAsync("/v1/tts/stream?text=hello", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        while (time.ArmedTimers == 0)
        {
            await Task.Delay(10, timeout.Token);
        }

        Assert.False(pending.IsCompleted); // headers wait for audio (or a keepalive)
        time.Advance(TimeSpan.FromSeconds(5));
        using var response = await pending;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        Assert.Equal("event: meta", await reader.ReadLineAsync(timeout.Token));
        Assert.StartsWith("data: {\"request_id\":", await reader.ReadLineAsync(timeout.Token));
        Assert.Equal("", await reader.ReadLineAsync(timeout.Token));
        Assert.Equal(": keepalive", await reader.ReadLineAsync(timeout.Token));
        Assert.Equal("", await reader.ReadLineAsync(timeout.Token));

        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(": keepalive", await reader.ReadLineAsync(timeout.Token));
    }
}
