using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ChatTts.Edge.Tests.Infrastructure;
using ChatTts.Emulator;

namespace ChatTts.Edge.Tests.Api.OpenAi;

/// <summary><c>POST /v1/audio/speech</c> and <c>GET /v1/models</c> on the wire: OpenAI's error shape, its formats, the edge's mapping.</summary>
public sealed class OpenAiSpeechApiTests
{
    private static readonly string[] StreamSpans = ["quota.check", "queue.wait", "backend.attempt"];

    private const string Text = "The edge speaks OpenAI's speech API to every ChatTTS server, in its own words and at its own pace.";

    public static TheoryData<string, string, string, string> InvalidRequests => new()
    {
        { """{"model":"whisper-1","input":"Hello","voice":"alloy"}""", "model", "model_not_found", "'tts-1'" },
        { """{"model":"tts-1","input":"Hello","voice":"alloy","response_format":"mp3"}""", "response_format", "unsupported_response_format", "use 'wav', 'pcm'" },
        { """{"model":"tts-1","input":"Hello","voice":"alloy","response_format":"ogg"}""", "response_format", "unsupported_response_format", "'wav', 'pcm'" },
        { """{"model":"tts-1","input":"Hello","voice":"alloy","speed":4.5}""", "speed", "invalid_value", "0.25 to 4" },
        { """{"model":"tts-1","input":"Hello","voice":"alloy","speed":"fast"}""", "speed", "invalid_type", "speed must be a number" },
        { """{"model":"tts-1","input":"Hello","voice":"bob"}""", "voice", "invalid_value", "'alloy'" },
        { """{"model":"tts-1","input":"Hello"}""", "voice", "missing_required_parameter", "voice is required" },
        { """{"model":"tts-1","input":"Hello","voice":"alloy","stream_format":"chunks"}""", "stream_format", "invalid_value", "'audio', 'sse'" },
        { """{"model":"tts-1","input":"Hello","voice":"alloy","stream":true}""", "stream", "unknown_parameter", "Unrecognized request argument" },
        { """{"model":"tts-1","input":"  \u200b ","voice":"alloy"}""", "input", "invalid_value", "input has nothing to speak" },
        { """{"model":"tts-1","voice":"alloy"}""", "input", "missing_required_parameter", "input is required" },
    };

    [Theory]
    [MemberData(nameof(InvalidRequests))]
    public async Task Speech_InvalidRequest_Is400InOpenAisShape_NamingTheField_AndNoGpuHearsOfIt(string body, string param, string code, string says)
    {
        await using var gpu = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("webui"));
        await using var edge = EdgeApp.Start(gpu);
        using var client = edge.CreateRealClient();

        using var response = await client.PostAsync("/v1/audio/speech", new StringContent(body, Encoding.UTF8, "application/json"));

        var error = await AssertOpenAiError(response, HttpStatusCode.BadRequest, "invalid_request_error", code);
        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.Contains(says, error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, gpu.RequestCount);
    }

    [Fact]
    public async Task Speech_InputOverTheLimit_Is413InOpenAisShape()
    {
        await using var edge = EdgeApp.Start([], new Dictionary<string, string?> { ["Edge:Streaming:MaxTextCharacters"] = "10" });
        using var client = edge.CreateRealClient();

        using var response = await client.PostAsJsonAsync("/v1/audio/speech", new { model = "tts-1", input = "eleven char", voice = "alloy" });

        var error = await AssertOpenAiError(response, HttpStatusCode.RequestEntityTooLarge, "invalid_request_error", "input_too_long");
        Assert.Contains("11 characters; at most 10", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Speech_NoBackend_Is503WithRetryAfter_AndUnknownRoutesAre404_InOpenAisShape()
    {
        await using var edge = EdgeApp.Start([]);
        using var client = edge.CreateRealClient();

        using var unavailable = await client.PostAsJsonAsync("/v1/audio/speech", new { model = "tts-1", input = "Hello", voice = "alloy" });
        await AssertOpenAiError(unavailable, HttpStatusCode.ServiceUnavailable, "server_error", "service_unavailable");
        Assert.NotNull(unavailable.Headers.RetryAfter);

        using var missing = await client.GetAsync("/v1/audio/voices");
        await AssertOpenAiError(missing, HttpStatusCode.NotFound, "invalid_request_error", "not_found");
        using var wrongMethod = await client.GetAsync("/v1/audio/speech");
        await AssertOpenAiError(wrongMethod, HttpStatusCode.MethodNotAllowed, "invalid_request_error", "method_not_allowed");
        using var notJson = await client.PostAsync("/v1/audio/speech", new StringContent("input=Hello", Encoding.UTF8, "text/plain"));
        var mediaType = await AssertOpenAiError(notJson, HttpStatusCode.UnsupportedMediaType, "invalid_request_error", "unsupported_media_type");
        Assert.Equal("Send the fields as a JSON object with 'Content-Type: application/json'.", mediaType.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Speech_BackendDiesAfterAudioStarted_AudioBodyIsCutOff_SseEndsWithAnErrorEvent()
    {
        await using var gpu = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("forge"));
        await using var edge = EdgeApp.Start(gpu);
        using var client = edge.CreateRealClient();
        var text = string.Concat(Enumerable.Repeat(Text + " ", 3));
        gpu.Faults.DieAfterBytes = 44 + 48_000; // the header and one second of audio, then the connection drops

        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/audio/speech") { Content = JsonContent.Create(new { model = "tts-1", input = text, voice = "alloy", response_format = "pcm" }) };
        using (var audio = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Equal(HttpStatusCode.OK, audio.StatusCode); // the audio had started
            Assert.Equal("audio/pcm", audio.Content.Headers.ContentType?.MediaType);
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => audio.Content.ReadAsByteArrayAsync()); // a broken transfer, not a short file
        }

        using var sse = await client.PostAsJsonAsync("/v1/audio/speech", new { model = "tts-1", input = text, voice = "alloy", response_format = "pcm", stream_format = "sse" });
        Assert.Equal("text/event-stream", sse.Content.Headers.ContentType?.MediaType);
        var events = (await sse.Content.ReadAsStringAsync()).Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("data: {\"type\":\"speech.audio.delta\"", events[0], StringComparison.Ordinal);
        Assert.DoesNotContain(events, e => e.Contains("speech.audio.done", StringComparison.Ordinal));
        var last = events[^1].Split('\n');
        Assert.Equal("event: error", last[0]);
        var error = JsonDocument.Parse(last[1]["data: ".Length..]).RootElement;
        Assert.Equal("error", error.GetProperty("type").GetString());
        Assert.Equal("backend_interrupted", error.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal("server_error", error.GetProperty("error").GetProperty("type").GetString());
    }

    [Fact]
    public async Task Speech_FailedAttemptsBeforeAudio_AreRetriedElsewhere_AndEveryRequestEndsWithTheCompletionLogLine()
    {
        // Their syntheses fail before the first byte of audio: a 503, a dropped connection.
        await using var busy = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("webui"));
        await using var failing = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("forge"));
        await using var healthy = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("chattts-openai"));
        busy.Faults.Unavailable = true;
        failing.Faults.DieAfterBytes = 0;
        using var logs = new LogCapture();
        // Active probes would find the broken backends on their own: here the requests' own attempts meet them. Round
        // robin over the three sends a first attempt to a failing one within the first three requests, whichever it starts at.
        await using var edge = EdgeApp.Start([healthy, failing, busy], new Dictionary<string, string?>
        {
            ["ReverseProxy:Clusters:chattts:HealthCheck:Active:Enabled"] = "false",
            ["ReverseProxy:Clusters:chattts:LoadBalancingPolicy"] = "RoundRobin",
        }, logs: logs);
        using var client = edge.CreateRealClient();

        for (var i = 0; i < 6; i++)
        {
            using var response = await client.PostAsJsonAsync("/v1/audio/speech", new { model = "tts-1", input = $"Request {i} of six.", voice = "alloy", response_format = "pcm" });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode); // the failures came before any audio: retried on the healthy one
            Assert.Equal(healthy.ProducedPcm(healthy.Requests[^1]), await response.Content.ReadAsByteArrayAsync());
        }

        Assert.Equal(6, healthy.RequestCount);
        Assert.True(busy.RequestCount + failing.RequestCount > 0, "some attempt went to a failing backend first");
        var completions = logs.Entries.Where(e => e.EventId == ChatTts.Edge.Hosting.LogEvents.StreamCompleted && e.Category.StartsWith("ChatTts.Edge.", StringComparison.Ordinal)).Select(e => e.Message).ToList();
        Assert.Equal(6, completions.Count);
        Assert.All(completions, line => Assert.Contains(": done on gpu0 after ", line, StringComparison.Ordinal));
        Assert.Contains(completions, line => !line.Contains("after 1 attempt(s)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Speech_ChargesTheCharactersOfInput_AndTheDaysCharactersUsedUpAre429InsufficientQuota()
    {
        await using var gpu = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("webui"));
        await using var edge = EdgeApp.Start(gpu, QuotaSettings.Alice(charactersPerDay: 100));
        using var client = edge.CreateRealClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", QuotaSettings.AliceKey);
        var input = "Sixty characters of input, counted as the plan counts them!";

        using (var first = await client.PostAsJsonAsync("/v1/audio/speech", new { model = "tts-1", input, voice = "alloy", response_format = "pcm" }))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            Assert.Equal(gpu.ProducedPcm(gpu.Requests[0]), await first.Content.ReadAsByteArrayAsync());
        }

        var usage = JsonDocument.Parse(await client.GetStringAsync("/v1/usage")).RootElement.GetProperty("characters");
        Assert.Equal(input.Length, usage.GetProperty("used").GetInt64());

        using var refused = await client.PostAsJsonAsync("/v1/audio/speech", new { model = "tts-1", input, voice = "alloy" });
        var error = await AssertOpenAiError(refused, HttpStatusCode.TooManyRequests, "insufficient_quota", "insufficient_quota");
        Assert.Contains("characters for today", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After: the time to midnight UTC");
        Assert.Equal(1, gpu.RequestCount);
    }

    [Fact]
    public async Task Speech_IsTracedAsTheStreamingApisStreamsAre_AndTheGpuSeesTheClientsTrace()
    {
        await using var collector = await OtlpReceiver.StartAsync();
        await using var gpu = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("webui"));
        await using var edge = EdgeApp.Start(gpu, new Dictionary<string, string?>
        {
            ["Edge:Telemetry:OtlpEndpoint"] = collector.Endpoint.AbsoluteUri,
            ["Edge:Telemetry:OtlpProtocol"] = "HttpProtobuf",
            ["Edge:Telemetry:ExportInterval"] = "00:00:00.200",
        });
        using var client = edge.CreateRealClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var (trace, span) = (System.Diagnostics.ActivityTraceId.CreateRandom(), System.Diagnostics.ActivitySpanId.CreateRandom());

        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/audio/speech") { Content = JsonContent.Create(new { model = "tts-1", input = "Traced.", voice = "alloy", stream_format = "sse" }) };
        request.Headers.Add("traceparent", $"00-{trace.ToHexString()}-{span.ToHexString()}-01");
        using (var response = await client.SendAsync(request, timeout.Token))
        {
            Assert.Contains("speech.audio.done", await response.Content.ReadAsStringAsync(timeout.Token), StringComparison.Ordinal);
        }

        var spans = await collector.WaitForSpansAsync(all => all.Any(s => s.TraceId == trace.ToHexString() && s.Name == "tts.stream"), timeout.Token);
        var inTrace = spans.Where(s => s.TraceId == trace.ToHexString()).ToList();
        var root = Assert.Single(inTrace, s => s.Name == "tts.stream");
        Assert.Equal("done", root["edge.outcome"]);
        Assert.Equal("gpu0", root["edge.backend"]);
        Assert.Equal(1L, root["edge.attempts"]);
        Assert.All(StreamSpans, name => Assert.Equal(root.SpanId, Assert.Single(inTrace, s => s.Name == name).ParentSpanId));
        var attempt = Assert.Single(inTrace, s => s.Name == "backend.attempt");
        var call = Assert.Single(inTrace, s => s.ParentSpanId == attempt.SpanId && s.Kind == ReceivedSpan.ClientKind);
        Assert.Equal($"00-{trace.ToHexString()}-{call.SpanId}-01", Assert.Single(gpu.Requests).TraceParent);
    }

    [Fact]
    public async Task Speech_VoiceAndSpeed_ReachTheBackendMappedToTheEdgesFields()
    {
        await using var gpu = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("chattts-ui"));
        await using var edge = EdgeApp.Start(gpu, new Dictionary<string, string?> { ["Edge:OpenAi:Voices:nova"] = "2222" });
        using var client = edge.CreateRealClient();

        foreach (var (voice, speed) in new[] { ("nova", 2.0), ("alloy", 0.25), ("nova", 1.0) })
        {
            using var response = await client.PostAsJsonAsync("/v1/audio/speech", new { model = "chattts", input = "Hello there", voice, speed, response_format = "pcm" });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(gpu.ProducedPcm(gpu.Requests[^1]), await response.Content.ReadAsByteArrayAsync());
        }

        var requests = gpu.Requests;
        Assert.Equal(("2222", "7"), (requests[0].Voice, requests[0].Fields["speed"])); // 2× → [speed_7]
        Assert.Null(requests[1].Voice); // alloy: the backend's default voice
        Assert.Equal("1", requests[1].Fields["speed"]); // 0.25× → [speed_1]
        Assert.False(requests[2].Fields.ContainsKey("speed")); // 1× → the backend's default speed
    }

    [Fact]
    public async Task Models_ListTheConfiguredIds_InOpenAisShape()
    {
        await using var edge = EdgeApp.Start([], new Dictionary<string, string?> { ["Edge:OpenAi:Models:0"] = "chattts", ["Edge:OpenAi:Models:1"] = "tts-1" });
        using var client = edge.CreateRealClient();

        var list = JsonDocument.Parse(await client.GetStringAsync("/v1/models")).RootElement;
        Assert.Equal("list", list.GetProperty("object").GetString());
        Assert.Equal(["chattts", "tts-1"], list.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()));
        Assert.All(list.GetProperty("data").EnumerateArray(), m =>
        {
            Assert.Equal("model", m.GetProperty("object").GetString());
            Assert.Equal("chattts-edge", m.GetProperty("owned_by").GetString());
            Assert.Equal(JsonValueKind.Number, m.GetProperty("created").ValueKind);
        });
        Assert.Equal("chattts", JsonDocument.Parse(await client.GetStringAsync("/v1/models/chattts")).RootElement.GetProperty("id").GetString());

        using var retired = await client.GetAsync("/v1/models/tts-1-hd"); // a default, replaced by the configured list
        var error = await AssertOpenAiError(retired, HttpStatusCode.NotFound, "invalid_request_error", "model_not_found");
        Assert.Equal("model", error.GetProperty("param").GetString());
        using var speech = await client.PostAsJsonAsync("/v1/audio/speech", new { model = "tts-1-hd", input = "Hello", voice = "alloy" });
        await AssertOpenAiError(speech, HttpStatusCode.BadRequest, "invalid_request_error", "model_not_found");
    }

    [Fact]
    public void Start_BadOpenAiConfiguration_FailsListingEveryMistakeByKey()
    {
        var failure = Assert.ThrowsAny<Exception>(() => EdgeApp.Start([], new Dictionary<string, string?>
        {
            ["Edge:OpenAi:Models:0"] = "tts 1",
            ["Edge:OpenAi:Models:1"] = "chattts",
            ["Edge:OpenAi:Models:2"] = "chattts",
            ["Edge:OpenAi:Voices:alloy"] = new string('x', 65),
        }));

        var message = Flatten(failure);
        Assert.Contains("Edge:OpenAi:Models:0 is 'tts 1'", message, StringComparison.Ordinal);
        Assert.Contains("Edge:OpenAi:Models:2 is 'chattts', which is listed already", message, StringComparison.Ordinal);
        Assert.Contains("Edge:OpenAi:Voices:alloy must be the edge's voice", message, StringComparison.Ordinal);
    }

    private static async Task<JsonElement> AssertOpenAiError(HttpResponseMessage response, HttpStatusCode status, string type, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var root = JsonDocument.Parse(text).RootElement;
        Assert.Equal(["error"], root.EnumerateObject().Select(p => p.Name));
        var error = root.GetProperty("error");
        Assert.Equal(["message", "type", "param", "code"], error.EnumerateObject().Select(p => p.Name));
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
        Assert.Equal(type, error.GetProperty("type").GetString());
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.NotNull(response.Headers.GetValues("X-Request-Id").Single());
        return error;
    }

    private static string Flatten(Exception exception) =>
        exception.InnerException is null ? exception.ToString() : exception + Flatten(exception.InnerException);
}
