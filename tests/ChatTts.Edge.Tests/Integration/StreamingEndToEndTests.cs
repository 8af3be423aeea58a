using System.Net;
using System.Text.Json;
using ChatTts.Edge.Tests.Infrastructure;
using ChatTts.Emulator;

namespace ChatTts.Edge.Tests.Integration;

/// <summary>Real Kestrel emulator backends, one per dialect, behind the real proxy on real Kestrel.</summary>
public sealed class StreamingEndToEndTests
{
    public static TheoryData<string, string> DialectsAndTexts()
    {
        var data = new TheoryData<string, string>();
        foreach (var dialect in new[] { "webui", "chattts-openai", "forge", "chattts-ui" })
        {
            data.Add(dialect, "Hello from the edge. Streaming speech should start quickly.");
            data.Add(dialect, "你好，欢迎使用语音合成。今天天气很好。");
            data.Add(dialect, "Mixed 中文 and English 🎉 with emoji 👩‍💻, numbers 42 and ümlauts.");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(DialectsAndTexts))]
    public async Task Stream_EachDialectAndScript_DeliversTheBackendsPcmByteForByte(string dialect, string text)
    {
        await using var backend = await EmulatorInstance.StartAsync(EmulatorPresets.Fast(dialect));
        await using var edge = EdgeApp.Start(backend);
        using var client = edge.CreateRealClient();

        var stream = await SseCapture.GetAsync(client, $"/v1/tts/stream?text={Uri.EscapeDataString(text)}&seed=7&chunk_ms=120");

        Assert.Equal(HttpStatusCode.OK, stream.Status);
        Assert.Equal("text/event-stream", stream.ContentHeaders.ContentType?.MediaType);
        var synthesis = Assert.Single(backend.Requests);
        Assert.Equal(text, synthesis.Text);
        var expectedPcm = backend.ProducedPcm(synthesis);
        Assert.Equal(expectedPcm, stream.AudioPcm());

        var types = stream.EventTypes.ToList();
        Assert.Equal("meta", types[0]);
        Assert.Equal("done", types[^1]);
        Assert.All(types[1..^1], t => Assert.Equal("audio", t));

        var meta = stream.Single("meta");
        Assert.Equal(24000, meta.GetProperty("sample_rate").GetInt32());
        Assert.Equal(1, meta.GetProperty("channels").GetInt32());
        Assert.Equal(16, meta.GetProperty("bits_per_sample").GetInt32());
        Assert.Equal("wav", meta.GetProperty("format").GetString());
        Assert.Equal(stream.Headers.GetValues("X-Request-Id").Single(), meta.GetProperty("request_id").GetString());

        var audio = stream.Events.Where(e => e.EventType == "audio").ToList();
        long samplesSoFar = 0;
        for (var seq = 0; seq < audio.Count; seq++)
        {
            var data = JsonDocument.Parse(audio[seq].Data).RootElement;
            Assert.Matches("^[0-9a-f]{32}:" + seq.ToString(System.Globalization.CultureInfo.InvariantCulture) + "$", audio[seq].EventId); // <stream>:<seq>
            Assert.StartsWith(audio[0].EventId![..33], audio[seq].EventId, StringComparison.Ordinal);
            Assert.Equal(seq, data.GetProperty("seq").GetInt64());
            Assert.Equal(samplesSoFar / 24.0, data.GetProperty("offset_ms").GetDouble(), 6);
            var samples = data.GetProperty("samples").GetInt32();
            Assert.Equal(samples / 24.0, data.GetProperty("duration_ms").GetDouble(), 6);
            if (seq < audio.Count - 1)
            {
                Assert.Equal(120 * 24, samples);
            }

            samplesSoFar += samples;
        }

        var done = stream.Single("done");
        Assert.Equal(audio.Count, done.GetProperty("chunks").GetInt32());
        Assert.Equal(expectedPcm.Length / 2, done.GetProperty("samples").GetInt64());
        Assert.Equal(expectedPcm.Length / 2 / 24.0, done.GetProperty("duration_ms").GetDouble(), 6);
        Assert.Equal(text.EnumerateRunes().Count(), done.GetProperty("characters").GetInt32());
        Assert.Equal("gpu0", done.GetProperty("backend").GetString());
        Assert.True(done.GetProperty("ttfa_ms").GetDouble() > 0);
    }

    [Fact]
    public async Task Stream_PostWithJsonBody_StreamsTheSameAudioAsGet()
    {
        await using var backend = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("forge"));
        await using var edge = EdgeApp.Start(backend);
        using var client = edge.CreateRealClient();

        using var post = new HttpRequestMessage(HttpMethod.Post, "/v1/tts/stream")
        {
            Content = JsonContent("""{"text":"Posted text, 带中文。","seed":3,"voice":"female2","chunk_ms":500}"""),
        };
        var posted = await SseCapture.SendAsync(client, post);
        var got = await SseCapture.GetAsync(client, "/v1/tts/stream?text=" + Uri.EscapeDataString("Posted text, 带中文。") + "&seed=3&voice=female2&chunk_ms=500");

        Assert.Equal(HttpStatusCode.OK, posted.Status);
        Assert.Equal(got.AudioPcm(), posted.AudioPcm());
        Assert.Equal(backend.ProducedPcm(backend.Requests[0]), posted.AudioPcm());
        Assert.Equal("female2", backend.Requests[0].Voice);
        Assert.Equal(3, backend.Requests[0].Seed);
    }

    [Fact]
    public async Task Stream_DefaultChunkSize_Is200Milliseconds()
    {
        await using var backend = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("webui"));
        await using var edge = EdgeApp.Start(backend);
        using var client = edge.CreateRealClient();

        var stream = await SseCapture.GetAsync(client, "/v1/tts/stream?text=" + Uri.EscapeDataString("A sentence long enough for several chunks of audio."));

        var first = stream.Data("audio").First();
        Assert.Equal(4800, first.GetProperty("samples").GetInt32());
        Assert.Equal(200, first.GetProperty("duration_ms").GetDouble());
    }

    [Fact]
    public async Task Get_TheLongestAllowedChineseText_FitsInTheRequestLine()
    {
        await using var backend = await EmulatorInstance.StartAsync(new EmulatorOptions
        {
            Dialect = "webui", FirstChunkDelay = TimeSpan.Zero, RealTimeFactor = 0, Engine = SpeechEngine.Synthetic,
        });
        await using var edge = EdgeApp.Start(backend);
        using var client = edge.CreateRealClient();
        var text = string.Concat(Enumerable.Repeat("语音合成测试", 400))[..2000]; // 18 000 bytes percent-encoded

        var stream = await SseCapture.GetAsync(client, "/v1/tts/stream?chunk_ms=2000&split=false&text=" + Uri.EscapeDataString(text));

        Assert.Equal(HttpStatusCode.OK, stream.Status);
        Assert.Equal(2000, stream.Single("done").GetProperty("characters").GetInt32());
        Assert.Equal(text, Assert.Single(backend.Requests).Text);
    }

    [Fact]
    public async Task Stream_EveryBackendAtItsCapWithoutQueue_Is503AtOnceAndTheBackendNeverSeesIt()
    {
        await using var backend = await EmulatorInstance.StartAsync(new EmulatorOptions
        {
            Dialect = "webui", FirstChunkDelay = TimeSpan.FromMilliseconds(10), RealTimeFactor = 1.0,
        });
        // MaxConcurrency defaults to 1; no queue, so the second request has nowhere to wait.
        await using var edge = EdgeApp.Start(backend, new Dictionary<string, string?> { ["Edge:Admission:MaxQueueLength"] = "0" });
        using var client = edge.CreateRealClient();
        var text = string.Concat(Enumerable.Repeat("The GPU is busy with this one for a while. ", 8));

        using var first = await client.GetAsync("/v1/tts/stream?text=" + Uri.EscapeDataString(text), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        using var second = await client.GetAsync("/v1/tts/stream?text=hello");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, second.StatusCode);
        Assert.Equal("application/problem+json", second.Content.Headers.ContentType?.MediaType);
        Assert.True(second.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Assert.Equal(1, backend.RequestCount);
        Assert.Equal(1, backend.PeakInFlight);
    }

    internal static StringContent JsonContent(string json) => new(json, System.Text.Encoding.UTF8, "application/json");
}
