using System.Text.Json;
using ChatTts.Edge.Tests.Infrastructure;
using ChatTts.Emulator;

namespace ChatTts.Edge.Tests.Api.OpenAi;

/// <summary>
/// <c>POST /v1/audio/speech</c> as OpenAI's official JavaScript SDK calls it (<c>client.audio.speech.create</c>), run by node
/// against the real edge on Kestrel in front of an emulated ChatTTS server.
/// </summary>
public sealed class OpenAiSdkTests
{
    private const string Text = "The edge speaks OpenAI's speech API to every ChatTTS server.";

    [Fact]
    public async Task SpeechCreate_WavAndPcm_AreTheEmulatorsPcmByteForByte()
    {
        await using var gpu = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("chattts-openai"));
        await using var edge = EdgeApp.Start(gpu, QuotaSettings.Alice());
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));

        await using var sdk = OpenAiSdk.Start(edge.Address, QuotaSettings.AliceKey,
            new SdkStep(Speech(Text, "wav")), new SdkStep(Speech(Text, "pcm")), new SdkStep(Speech(Text)));
        var outcomes = await sdk.RestAsync(timeout.Token);

        Assert.All(outcomes, o => Assert.Equal("done", o.GetProperty("event").GetString()));
        Assert.Equal(["audio/wav", "audio/pcm", "audio/wav"], outcomes.Select(o => o.GetProperty("contentType").GetString()));
        var pcm = gpu.ProducedPcm(gpu.Requests[0]);
        Assert.True(pcm.Length > 24_000, "the text makes more than half a second of audio");
        Assert.Equal(pcm, WavAssert.IsStream(sdk.Received(0)));
        Assert.Equal(pcm, sdk.Received(1));
        Assert.Equal(pcm, WavAssert.IsStream(sdk.Received(2))); // no response_format: wav, the edge's default
        Assert.Equal(3, gpu.RequestCount);
    }

    [Fact]
    public async Task SpeechCreate_ReadIncrementally_FirstBytesArriveWhileTheSynthesisStillRuns()
    {
        // The emulator's clock moves only when the test says: its first step (0.5 s of audio) comes at once, every later one
        // waits for the clock, so the synthesis cannot end before the test has seen the SDK receive the first bytes.
        var clock = new ManualTimeProvider();
        await using var gpu = await EmulatorInstance.StartAsync(new EmulatorOptions
        {
            Dialect = "forge",
            Engine = SpeechEngine.Synthetic,
            FirstChunkDelay = TimeSpan.Zero,
            RealTimeFactor = 1.0,
            TimeProvider = clock,
        });
        await using var edge = EdgeApp.Start(gpu, QuotaSettings.Alice());
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));

        await using var sdk = OpenAiSdk.Start(edge.Address, QuotaSettings.AliceKey, new SdkStep(Speech(Text, "pcm"), Read: "incremental"));
        var first = await sdk.NextAsync(timeout.Token);

        Assert.Equal("first", first.GetProperty("event").GetString());
        var pcm = gpu.ProducedPcm(gpu.Requests[0]);
        Assert.InRange(first.GetProperty("bytes").GetInt32(), 1, 12_000 * 2); // at most the one step the clock let out
        Assert.True(pcm.Length > 12_000 * 2 * 2, "the synthesis has steps left that wait for the clock");

        var rest = sdk.RestAsync(timeout.Token);
        while (!rest.IsCompleted)
        {
            clock.Advance(TimeSpan.FromSeconds(1)); // lets the next steps out
            await Task.WhenAny(rest, Task.Delay(20, timeout.Token));
        }

        var done = Assert.Single(await rest);
        Assert.Equal("done", done.GetProperty("event").GetString());
        Assert.True(done.GetProperty("chunks").GetInt32() > 1, "the body came in pieces");
        Assert.Equal(pcm, sdk.Received(0));
    }

    [Fact]
    public async Task SpeechCreate_StreamFormatSse_DeltasAreTheSameBody_AndDoneReportsTheUsage()
    {
        await using var gpu = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("webui"));
        await using var edge = EdgeApp.Start(gpu, QuotaSettings.Alice());
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));

        await using var sdk = OpenAiSdk.Start(edge.Address, QuotaSettings.AliceKey,
            new SdkStep(Speech(Text, "pcm", stream: "sse"), Read: "sse"), new SdkStep(Speech(Text, "wav", stream: "sse"), Read: "sse"));
        var outcomes = await sdk.RestAsync(timeout.Token);

        var pcm = gpu.ProducedPcm(gpu.Requests[0]);
        Assert.Equal(pcm, sdk.Received(0));
        Assert.Equal(pcm, WavAssert.IsStream(sdk.Received(1))); // the WAV body, header first, cut into deltas
        foreach (var outcome in outcomes)
        {
            Assert.Equal("done", outcome.GetProperty("event").GetString());
            Assert.Equal("text/event-stream", outcome.GetProperty("contentType").GetString());
            Assert.Equal(["speech.audio.delta", "speech.audio.done"], outcome.GetProperty("types").EnumerateArray().Select(t => t.GetString()));
            Assert.Equal("speech.audio.done", outcome.GetProperty("lastType").GetString());
            Assert.True(outcome.GetProperty("deltas").GetInt32() > 1);
            var usage = outcome.GetProperty("usage");
            Assert.Equal(Text.Length, usage.GetProperty("input_tokens").GetInt32());
            Assert.Equal((pcm.Length / 2 + 479) / 480, usage.GetProperty("output_tokens").GetInt32()); // 20 ms units
            Assert.Equal(usage.GetProperty("input_tokens").GetInt32() + usage.GetProperty("output_tokens").GetInt32(), usage.GetProperty("total_tokens").GetInt32());
        }
    }

    [Fact]
    public async Task SpeechCreate_WrongKey_IsTheSdksAuthenticationError_AndNoGpuHearsOfIt()
    {
        await using var gpu = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("webui"));
        await using var edge = EdgeApp.Start(gpu, QuotaSettings.Alice());
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));

        await using var sdk = OpenAiSdk.Start(edge.Address, "not-a-key-of-this-edge", new SdkStep(Speech(Text)), new SdkStep(new Dictionary<string, object?>(), Read: "models"));
        var outcomes = await sdk.RestAsync(timeout.Token);

        Assert.All(outcomes, error =>
        {
            Assert.Equal("AuthenticationError", error.GetProperty("name").GetString());
            Assert.True(error.GetProperty("authentication").GetBoolean());
            Assert.Equal(401, error.GetProperty("status").GetInt32());
            Assert.Equal("invalid_api_key", error.GetProperty("code").GetString());
            Assert.Equal("authentication_error", error.GetProperty("type").GetString());
        });
        Assert.Equal(0, gpu.RequestCount);
    }

    [Fact]
    public async Task SpeechCreate_PlanUsedUp_IsTheSdksRateLimitError_WithRetryAfter()
    {
        await using var gpu = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("webui"));
        await using var edge = EdgeApp.Start(gpu, QuotaSettings.Alice(requestsPerMinute: 1, burst: 1));
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));

        await using var sdk = OpenAiSdk.Start(edge.Address, QuotaSettings.AliceKey,
            new SdkStep(Speech(Text, "pcm")), new SdkStep(Speech(Text, "pcm")), new SdkStep(new Dictionary<string, object?>(), Read: "models"));
        var outcomes = await sdk.RestAsync(timeout.Token);

        Assert.Equal("done", outcomes[0].GetProperty("event").GetString()); // the plan's one request
        var refused = outcomes[1];
        Assert.Equal("RateLimitError", refused.GetProperty("name").GetString());
        Assert.True(refused.GetProperty("rateLimit").GetBoolean());
        Assert.Equal(429, refused.GetProperty("status").GetInt32());
        Assert.InRange(int.Parse(refused.GetProperty("retryAfter").GetString()!, System.Globalization.CultureInfo.InvariantCulture), 1, 60);
        Assert.Equal("rate_limit_exceeded", refused.GetProperty("code").GetString());
        Assert.Equal(1, gpu.RequestCount);
        Assert.Equal(["tts-1", "tts-1-hd", "gpt-4o-mini-tts", "chattts"], outcomes[2].GetProperty("ids").EnumerateArray().Select(i => i.GetString())); // listing is not charged
    }

    private static Dictionary<string, object?> Speech(string input, string? format = null, string? stream = null)
    {
        var body = new Dictionary<string, object?> { ["model"] = "tts-1", ["input"] = input, ["voice"] = "alloy" };
        if (format is not null)
        {
            body["response_format"] = format;
        }

        if (stream is not null)
        {
            body["stream_format"] = stream;
        }

        return body;
    }
}
