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

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30)); // a bound against hanging, not a speed test
        await backend.WaitForAbortAsync(deadline.Token);
        Assert.Equal(1, backend.AbortedCount);
    }

    [Fact]
    public async Task SlowFirstAudio_StreamOpensWithKeepalivesWhileWaiting()
    {
        var time = new ManualTimeProvider();
        await using var backend = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("webui"));
        backend.Faults.Stall = true; // answers, then sends no audio
        await using var edge = EdgeApp.Start(backend, new Dictionary<string, string?> { ["Edge:Streaming:KeepAliveInterval"] = "00:00:05" }, time);
        using var client = edge.CreateRealClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var pending = client.GetAsync("/v1/tts/stream?text=hello", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        // The keepalive ticks at half the interval; the quota lease's timer is armed before it.
        while (!time.HasArmedTicker(TimeSpan.FromSeconds(2.5)))
        {
            await Task.Delay(10, timeout.Token);
        }

        Assert.False(pending.IsCompleted); // headers wait for audio (or a keepalive)
        time.Advance(TimeSpan.FromSeconds(5));
        using var response = await pending;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        Assert.Equal("retry: 1000", await reader.ReadLineAsync(timeout.Token)); // how soon a browser reconnects (and resumes)
        Assert.Equal("", await reader.ReadLineAsync(timeout.Token));
        Assert.Equal("event: meta", await reader.ReadLineAsync(timeout.Token));
        Assert.StartsWith("data: {\"request_id\":", await reader.ReadLineAsync(timeout.Token));
        Assert.Equal("", await reader.ReadLineAsync(timeout.Token));
        Assert.Equal(": keepalive", await reader.ReadLineAsync(timeout.Token));
        Assert.Equal("", await reader.ReadLineAsync(timeout.Token));

        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(": keepalive", await reader.ReadLineAsync(timeout.Token));
    }

    [Fact]
    public async Task FirstAudioTimeout_BackendAnswersButSendsNoAudio_Is504()
    {
        var time = new ManualTimeProvider();
        await using var backend = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("forge"));
        backend.Faults.Stall = true;
        await using var edge = EdgeApp.Start(backend, Timeouts(firstAudio: "00:00:10", idle: "00:00:05"), time);
        using var client = edge.CreateRealClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var pending = client.GetAsync("/v1/tts/stream?text=hello", timeout.Token);
        while (backend.RequestCount == 0)
        {
            await Task.Delay(10, timeout.Token);
        }

        time.Advance(TimeSpan.FromSeconds(9));
        Assert.False(pending.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));
        using var response = await pending;

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("no audio within 10 s", await response.Content.ReadAsStringAsync(timeout.Token));
        await backend.WaitForAbortAsync(timeout.Token); // the stalled synthesis is cancelled, freeing the GPU
    }

    [Fact]
    public async Task IdleTimeout_BackendFallsSilentMidStream_EndsWithRetryableTimeoutError()
    {
        var time = new ManualTimeProvider();
        await using var backend = await EmulatorInstance.StartAsync(new EmulatorOptions
        {
            Dialect = "chattts-openai",
            FirstChunkDelay = TimeSpan.FromMilliseconds(10),
            RealTimeFactor = 1.0,
        });
        await using var edge = EdgeApp.Start(backend, Timeouts(firstAudio: "00:00:10", idle: "00:00:05"), time);
        using var client = edge.CreateRealClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var text = string.Concat(Enumerable.Repeat("Long enough to stream for several seconds. ", 6));

        using var response = await client.GetAsync("/v1/tts/stream?text=" + Uri.EscapeDataString(text), HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        while (await reader.ReadLineAsync(timeout.Token) is { } line && line != "event: audio")
        {
        }

        backend.Faults.Stall = true; // the GPU hangs after its current step
        var reading = reader.ReadToEndAsync(timeout.Token);
        while (!reading.IsCompleted)
        {
            // Audio already on its way re-arms the idle timer; keep the clock moving until the timeout fires.
            time.Advance(TimeSpan.FromSeconds(5));
            await Task.WhenAny(reading, Task.Delay(50, timeout.Token));
        }

        var rest = await reading;

        Assert.DoesNotContain("event: done", rest);
        var error = rest[rest.IndexOf("event: error", StringComparison.Ordinal)..];
        Assert.Contains("\"code\":\"backend_timeout\"", error);
        Assert.Contains("\"retryable\":true", error);
        Assert.Contains("no audio for 5 s", error);
    }

    private static Dictionary<string, string?> Timeouts(string firstAudio, string idle) => new()
    {
        ["Edge:Streaming:FirstAudioTimeout"] = firstAudio,
        ["Edge:Streaming:IdleTimeout"] = idle,
        ["Edge:Streaming:KeepAliveInterval"] = "00:01:00",
    };
}
