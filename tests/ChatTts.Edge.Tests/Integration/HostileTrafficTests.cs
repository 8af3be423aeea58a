using System.Net;
using System.Text.Json;
using ChatTts.Edge.Tests.Infrastructure;
using ChatTts.Emulator;

namespace ChatTts.Edge.Tests.Integration;

/// <summary>
/// Hostile clients and broken backends against the real proxy: none of them may hold a GPU slot without progress,
/// cost the edge memory in proportion to what it sends, or keep a well-behaved caller from its audio.
/// </summary>
public sealed class HostileTrafficTests
{
    private const int MiB = 1024 * 1024;

    /// <summary>Minutes of audio at the synthetic voice's pace: far more than any socket buffers between edge and client.</summary>
    private static readonly string LongText = string.Concat(Enumerable.Repeat("A client that stops reading must not hold a GPU. ", 36));

    /// <summary>Generous bound against hanging; no assertion here is about speed.</summary>
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task ClientStopsReading_StreamEndsAfterStalledClientTimeout_GpuServesTheNextCaller()
    {
        await using var backend = await EmulatorInstance.StartAsync(EmulatorPresets.Paced("forge", realTimeFactor: 0.2));
        var logs = new LogCapture();
        await using var edge = EdgeApp.Start([backend], new Dictionary<string, string?> { ["Edge:Streaming:StalledClientTimeout"] = "00:00:01" }, logs: logs);
        using var client = edge.CreateRealClient();
        using var timeout = new CancellationTokenSource(Hang);

        using var stalled = await StalledClient.OpenAsync(edge.Address, "/v1/tts/stream?split=false&text=" + Uri.EscapeDataString(LongText), timeout.Token);
        Assert.Equal("HTTP/1.1 200 OK", stalled.StatusLine);
        Assert.InRange(stalled.ReceiveBufferSize, 1, 4 * StalledClient.RequestedReceiveBuffer);

        // forge stops computing when its client leaves: the abort is the edge cutting the call, long before the
        // synthesis (minutes of audio) could have ended.
        await backend.WaitForAbortAsync(timeout.Token);
        var outcome = await CompletionAsync(logs, timeout.Token);
        Assert.True(outcome.Contains(": client_stalled on gpu0", StringComparison.Ordinal), outcome);
        await AssertGpuServesNextCallerAsync(client, backend, timeout.Token);
    }

    [Fact]
    public async Task BackendTricklesOneBytePerSecondMidStream_EndsWithBackendTimeoutError_GpuServesTheNextCaller()
    {
        await using var backend = await EmulatorInstance.StartAsync(EmulatorPresets.Paced("forge", realTimeFactor: 1.0));
        await using var edge = EdgeApp.Start(backend, new Dictionary<string, string?>
        {
            ["Edge:Streaming:IdleTimeout"] = "00:00:03", // three of the trickle's bytes per timeout: bytes are not progress
            ["Edge:Streaming:KeepAliveInterval"] = "00:01:00",
        });
        using var client = edge.CreateRealClient();
        using var timeout = new CancellationTokenSource(Hang);

        using var response = await client.GetAsync("/v1/tts/stream?split=false&text=" + Uri.EscapeDataString(LongText), HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        while (await reader.ReadLineAsync(timeout.Token) is { } line && line != "event: audio")
        {
        }

        backend.Faults.TrickleBytesPerSecond = 1; // from its next write on
        var rest = await reader.ReadToEndAsync(timeout.Token);

        Assert.DoesNotContain("event: done", rest, StringComparison.Ordinal);
        var error = ErrorEvent(rest);
        Assert.Equal("backend_timeout", error.GetProperty("code").GetString());
        Assert.True(error.GetProperty("retryable").GetBoolean());
        await backend.WaitForAbortAsync(timeout.Token);
        backend.Faults.Clear();
        await AssertGpuServesNextCallerAsync(client, backend, timeout.Token);
    }

    [Fact]
    public async Task BackendTricklesAudioBytesBeforeFirstAudio_Is504BackendTimeout_GpuServesTheNextCaller()
    {
        await using var backend = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("forge"));
        // 100 bytes a second: the WAV header and a few samples arrive within the first-audio timeout, 20 ms never do.
        backend.Faults.TrickleBytesPerSecond = 100;
        await using var edge = EdgeApp.Start(backend, new Dictionary<string, string?>
        {
            ["Edge:Streaming:FirstAudioTimeout"] = "00:00:03",
            ["Edge:Streaming:IdleTimeout"] = "00:00:03",
            ["Edge:Streaming:KeepAliveInterval"] = "00:01:00",
        });
        using var client = edge.CreateRealClient();
        using var timeout = new CancellationTokenSource(Hang);

        using var response = await client.GetAsync("/v1/tts/stream?text=hello", timeout.Token);

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("no audio within 3 s", await response.Content.ReadAsStringAsync(timeout.Token), StringComparison.Ordinal);
        await backend.WaitForAbortAsync(timeout.Token);
        backend.Faults.Clear();
        await AssertGpuServesNextCallerAsync(client, backend, timeout.Token);
    }

    [Theory]
    [InlineData("webui", "an event larger than 8388608 bytes")]
    [InlineData("chattts-ui", "JSON larger than 65536 bytes")]
    public async Task BackendSendsOne256MiBMessage_Is502NamingTheLimit_ProxyMemoryStaysFlat(string dialect, string reason)
    {
        await using var backend = await EmulatorInstance.StartAsync(EmulatorPresets.Fast(dialect));
        await using var proxy = await ProxyProcess.StartAsync(Environment(backend), CancellationToken.None);
        using var client = new HttpClient { BaseAddress = proxy.Address, Timeout = Hang };

        // The first stream pays for start-up (JIT, pools); memory is measured from after it.
        Assert.Equal("done", (await SseCapture.GetAsync(client, "/v1/tts/stream?text=warm")).EventTypes.Last());
        var before = ProcessMemory.Resident(proxy.Id);
        ProcessMemory.ResetPeak(proxy.Id);
        backend.Faults.OversizeMessageBytes = 256L * MiB;

        using var response = await client.GetAsync("/v1/tts/stream?text=hello");
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var peak = ProcessMemory.Peak(proxy.Id);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(reason, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.True(peak - before < 64 * MiB, $"the proxy's resident memory grew from {before / MiB} MiB to a peak of {peak / MiB} MiB");
    }

    [Fact]
    public async Task WholeWavAnnouncingMoreThanMaxAudioDuration_Is502AtItsHeader()
    {
        const long Announced = 1024L * MiB; // below 2 GiB, so a real size rather than a streaming placeholder
        await using var backend = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("chattts-ui"));
        backend.Faults.AnnouncedDataBytes = Announced; // and really sent: the PCM, then silence
        await using var edge = EdgeApp.Start(backend, MaxAudio10Seconds);
        using var client = edge.CreateRealClient();
        using var timeout = new CancellationTokenSource(Hang);

        using var response = await client.GetAsync("/v1/tts/stream?text=hello", timeout.Token);

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        var detail = JsonDocument.Parse(await response.Content.ReadAsStringAsync(timeout.Token)).RootElement.GetProperty("detail").GetString();
        Assert.Contains($"announced {Announced} bytes of audio; at most {10 * 48_000} are accepted", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunawayBackendSendsHoursOfAudio_StreamStopsAtMaxAudioDurationWithAnError()
    {
        await using var backend = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("chattts-ui"));
        backend.Faults.AnnouncedDataBytes = uint.MaxValue - 36; // a size streaming servers use as "unknown": 12 hours, really sent
        await using var edge = EdgeApp.Start(backend, MaxAudio10Seconds);
        using var client = edge.CreateRealClient();
        using var timeout = new CancellationTokenSource(Hang);

        var stream = await SseCapture.GetAsync(client, "/v1/tts/stream?text=hello", timeout.Token);

        Assert.Equal(HttpStatusCode.OK, stream.Status);
        Assert.Equal("error", stream.EventTypes.Last());
        Assert.DoesNotContain("done", stream.EventTypes);
        Assert.Equal("backend_protocol", stream.Single("error").GetProperty("code").GetString());
        var pcm = stream.AudioPcm();
        Assert.InRange(pcm.Length, 1, 10 * 48_000);
        var produced = backend.ProducedPcm(Assert.Single(backend.Requests));
        Assert.Equal(produced, pcm[..produced.Length]); // the real audio first, then the backend's silence
    }

    [Fact]
    public async Task BackendRetryAfterDateInTheYear9999_ClientRetryAfterIsAtMostTenMinutes()
    {
        await using var backend = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("chattts-openai"));
        backend.Faults.Unavailable = true;
        backend.Faults.RetryAfterDate = DateTimeOffset.MaxValue; // Fri, 31 Dec 9999 23:59:59 GMT
        await using var edge = EdgeApp.Start(backend);
        using var client = edge.CreateRealClient();

        using var response = await client.GetAsync("/v1/tts/stream?text=hi");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.InRange(response.Headers.RetryAfter?.Delta ?? TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10));
    }

    [Fact]
    public async Task TwentySilentStreams_TimersFiringEarly_EveryOneOpensWithMetaAndKeepaliveAtTheInterval()
    {
        const int Streams = 20;
        var interval = TimeSpan.FromSeconds(1);
        var early = TimeSpan.FromMilliseconds(10);
        var time = new ManualTimeProvider();
        await using var backend = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("forge")); // computes requests side by side
        backend.Faults.Stall = true; // headers, then silence
        await using var edge = EdgeApp.Start([backend], new Dictionary<string, string?>
        {
            ["Edge:Streaming:KeepAliveInterval"] = "00:00:01",
            ["ReverseProxy:Clusters:chattts:Destinations:gpu0:Metadata:MaxConcurrency"] = Streams.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }, new EarlyTimers(time, early));
        using var client = edge.CreateRealClient();
        using var timeout = new CancellationTokenSource(Hang);

        var pending = Enumerable.Range(0, Streams)
            .Select(i => client.GetAsync($"/v1/tts/stream?text=silent+{i}", HttpCompletionOption.ResponseHeadersRead, timeout.Token))
            .ToList();
        // Every stream waits on the GPU with its keepalive ticking (at half the interval), the clock not yet moved.
        while (backend.RequestCount < Streams || time.ArmedTickers(interval / 2) < Streams)
        {
            await Task.Delay(10, timeout.Token);
        }

        Assert.DoesNotContain(pending, p => p.IsCompleted);
        time.Advance(interval - early); // the tick due at the interval fires now, a hair before it

        foreach (var opening in pending)
        {
            using var response = await opening.WaitAsync(timeout.Token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
            Assert.Equal("retry: 1000", await reader.ReadLineAsync(timeout.Token)); // how soon a browser reconnects (and resumes)
            Assert.Equal("", await reader.ReadLineAsync(timeout.Token));
            Assert.Equal("event: meta", await reader.ReadLineAsync(timeout.Token));
            Assert.StartsWith("data: {\"request_id\":", await reader.ReadLineAsync(timeout.Token), StringComparison.Ordinal);
            Assert.Equal("", await reader.ReadLineAsync(timeout.Token));
            Assert.Equal(": keepalive", await reader.ReadLineAsync(timeout.Token));
        }
    }

    [Theory]
    [InlineData("forge")]
    [InlineData("chattts-openai")]
    public async Task BackendDiesInsideAFrame_EveryWholeSampleItSentArrivesBeforeTheError(string dialect)
    {
        const int WavHeader = 44;
        const int FrameBytes = 2000 * 24 * 2; // chunk_ms=2000
        const int PcmSent = FrameBytes + 30_001; // the second frame a third full, its last sample cut in half
        await using var backend = await EmulatorInstance.StartAsync(EmulatorPresets.Fast(dialect));
        backend.Faults.DieAfterBytes = WavHeader + PcmSent;
        await using var edge = EdgeApp.Start(backend);
        using var client = edge.CreateRealClient();
        using var timeout = new CancellationTokenSource(Hang);

        var stream = await SseCapture.GetAsync(client, "/v1/tts/stream?chunk_ms=2000&split=false&text=" + Uri.EscapeDataString(LongText[..400]), timeout.Token);

        Assert.Equal(HttpStatusCode.OK, stream.Status);
        Assert.Equal(["meta", "audio", "audio", "error"], stream.EventTypes);
        var error = stream.Single("error");
        Assert.Equal("backend_interrupted", error.GetProperty("code").GetString());
        Assert.Equal(1, error.GetProperty("last_seq").GetInt32());
        var produced = backend.ProducedPcm(Assert.Single(backend.Requests));
        Assert.True(produced.Length > PcmSent, "the synthesis must be longer than what the backend sends before dying");
        Assert.Equal(produced[..(PcmSent / 2 * 2)], stream.AudioPcm());
    }

    private static Dictionary<string, string?> MaxAudio10Seconds => new() { ["Edge:Streaming:MaxAudioDuration"] = "00:00:10" };

    private static Dictionary<string, string> Environment(EmulatorInstance backend) => new()
    {
        ["ASPNETCORE_ENVIRONMENT"] = "Testing",
        ["ReverseProxy__Clusters__chattts__Destinations__gpu0__Address"] = backend.BaseAddress.AbsoluteUri,
        ["ReverseProxy__Clusters__chattts__Destinations__gpu0__Metadata__Dialect"] = backend.Dialect,
        ["Edge__Quotas__AllowAnonymous"] = "true",
        ["Edge__Streaming__KeepAliveInterval"] = "00:01:00", // the failure comes before the stream opens
    };

    /// <summary>The GPU slot is free (no synthesis in flight or finishing) and a new caller gets all of its audio.</summary>
    private static async Task AssertGpuServesNextCallerAsync(HttpClient client, EmulatorInstance backend, CancellationToken cancellationToken)
    {
        await FleetStatus.WaitUntilAsync(
            client,
            status => FleetStatus.Destination(status, "gpu0") is { } gpu && gpu.GetProperty("in_flight").GetInt32() == 0,
            cancellationToken);

        var next = await SseCapture.GetAsync(client, "/v1/tts/stream?text=" + Uri.EscapeDataString("The next caller."), cancellationToken);

        Assert.Equal(HttpStatusCode.OK, next.Status);
        Assert.Equal("done", next.EventTypes.Last());
        Assert.Equal(backend.ProducedPcm(backend.Requests[^1]), next.AudioPcm());
    }

    /// <summary>The stream's completion log line, once written (after the response has ended).</summary>
    private static async Task<string> CompletionAsync(LogCapture logs, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (logs.Entries.FirstOrDefault(e => e.EventId == ChatTts.Edge.Hosting.LogEvents.StreamCompleted && e.Category.StartsWith("ChatTts.Edge.", StringComparison.Ordinal)) is { Message: { } line })
            {
                return line;
            }

            await Task.Delay(20, cancellationToken);
        }
    }

    private static JsonElement ErrorEvent(string sse)
    {
        var data = sse[sse.IndexOf("event: error", StringComparison.Ordinal)..].Split('\n')[1];
        Assert.StartsWith("data: ", data, StringComparison.Ordinal);
        return JsonDocument.Parse(data["data: ".Length..]).RootElement;
    }
}
