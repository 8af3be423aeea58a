using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ChatTts.Edge.Tests.Infrastructure;
using ChatTts.Emulator;

namespace ChatTts.Edge.Tests.Emulator;

/// <summary>Each dialect refuses (or silently accepts) what its real server does, with that server's status and body,
/// and counts every refused request without synthesizing.</summary>
public sealed class EmulatorValidationTests
{
    [Fact]
    public async Task ChatTtsOpenAi_ModelOmitted_Synthesizes()
    {
        await using var gpu = await EmulatorInstance.StartAsync(EmulatorKit.Instant("chattts-openai"));
        using var client = EmulatorKit.Client(gpu);

        using var response = await client.PostAsync("v1/audio/speech", EmulatorKit.Json("""{"input":"Hello.","response_format":"wav","stream":true}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var audio = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(gpu.ProducedPcm(gpu.Requests[0]), audio[44..]);
    }

    [Theory]
    [InlineData("""{"input":"Hello.","response_format":"wav","stream":true,"speed":2.5}""", "speed", "less_than_equal")]
    [InlineData("""{"input":"Hello.","response_format":"wav","stream":true,"speed":0.25}""", "speed", "greater_than_equal")]
    [InlineData("""{"input":"Hello.","response_format":"wav","stream":true,"speed":"fast"}""", "speed", "float_parsing")]
    [InlineData("""{"response_format":"wav","stream":true}""", "input", "missing")]
    [InlineData("""{"input":42,"response_format":"wav","stream":true}""", "input", "string_type")]
    [InlineData("""{"input":"Hello.","voice":2222,"response_format":"wav","stream":true}""", "voice", "string_type")]
    public async Task ChatTtsOpenAi_InvalidField_Is500ValidationErrorWithoutSynthesis(string body, string field, string type)
    {
        await using var gpu = await EmulatorInstance.StartAsync(EmulatorKit.Instant("chattts-openai"));
        using var client = EmulatorKit.Client(gpu);

        using var response = await client.PostAsync("v1/audio/speech", EmulatorKit.Json(body));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var error = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
        Assert.Equal("ValidationError", error.GetProperty("type").GetString());
        var message = error.GetProperty("message").GetString()!;
        Assert.StartsWith("1 validation error for OpenAITTSRequest\n" + field + "\n", message);
        Assert.Contains($"[type={type},", message);
        AssertNotSynthesized(gpu);
    }

    [Fact]
    public async Task ChatTtsOpenAi_InputOver2048Characters_Is500ValidationError()
    {
        await using var gpu = await EmulatorInstance.StartAsync(EmulatorKit.Instant("chattts-openai"));
        using var client = EmulatorKit.Client(gpu);

        using var atLimit = await client.SendAsync(EmulatorKit.OpenAiSpeech(new string('字', 2048)), HttpCompletionOption.ResponseHeadersRead);
        using var over = await client.SendAsync(EmulatorKit.OpenAiSpeech(new string('字', 2049)));

        Assert.Equal(HttpStatusCode.OK, atLimit.StatusCode);
        Assert.Equal(HttpStatusCode.InternalServerError, over.StatusCode);
        Assert.Contains("[type=string_too_long,", await over.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("""{"input":"Hello.",""", "json_invalid")]
    [InlineData("""["Hello."]""", "dict_type")]
    public async Task ChatTtsOpenAi_BodyNotAJsonObject_Is422DetailList(string body, string type)
    {
        await using var gpu = await EmulatorInstance.StartAsync(EmulatorKit.Instant("chattts-openai"));
        using var client = EmulatorKit.Client(gpu);

        using var response = await client.PostAsync("v1/audio/speech", EmulatorKit.Json(body));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var detail = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail");
        Assert.Equal(type, detail[0].GetProperty("type").GetString());
        AssertNotSynthesized(gpu);
    }

    [Fact]
    public async Task ChatTtsOpenAi_UnknownVoiceAndAnySpeedInRange_SoundLikeTheDefault()
    {
        await using var gpu = await EmulatorInstance.StartAsync(EmulatorKit.Instant("chattts-openai"));
        using var client = EmulatorKit.Client(gpu);

        var plain = await PostAsync(client, """{"input":"Same words.","voice":"default","response_format":"wav","stream":true}""");
        var unknownVoice = await PostAsync(client, """{"input":"Same words.","voice":"nova","response_format":"wav","stream":true}""");
        var fast = await PostAsync(client, """{"input":"Same words.","response_format":"wav","stream":true,"speed":2.0}""");

        Assert.Equal(plain, unknownVoice);
        Assert.Equal(plain, fast);
        Assert.Equal(3, gpu.Requests.Count);
    }

    [Fact]
    public async Task ChatTtsOpenAi_UnsupportedFormat_Is400HttpExceptionDetail()
    {
        await using var gpu = await EmulatorInstance.StartAsync(EmulatorKit.Instant("chattts-openai"));
        using var client = EmulatorKit.Client(gpu);

        using var response = await client.PostAsync("v1/audio/speech", EmulatorKit.Json("""{"input":"Hello.","response_format":"flac"}"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith("Unsupported audio format: flac", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        AssertNotSynthesized(gpu);
    }

    [Theory]
    [InlineData("2222")]
    [InlineData("nobody")]
    public async Task Forge_SpeakerThatIsNotAName_Is422InvalidSpeaker(string speaker)
    {
        await using var gpu = await EmulatorInstance.StartAsync(EmulatorKit.Instant("forge"));
        using var client = EmulatorKit.Client(gpu);

        using var response = await client.GetAsync($"v1/tts?text=Hello&spk={speaker}&format=raw&stream=true");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("Invalid speaker", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        AssertNotSynthesized(gpu);
    }

    [Theory]
    [InlineData("female2")]
    [InlineData("Alice")]
    [InlineData("Bob")]
    [InlineData("mona")]
    public async Task Forge_ShippedSpeakerName_Synthesizes(string speaker)
    {
        await using var gpu = await EmulatorInstance.StartAsync(EmulatorKit.Instant("forge"));
        using var client = EmulatorKit.Client(gpu);

        using var response = await client.GetAsync($"v1/tts?text=Hello&spk={speaker}&format=raw&stream=true");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(speaker, gpu.Requests[0].Voice);
    }

    [Theory]
    [InlineData("temperature=1.5", "Temperature must be between 0 and 1")]
    [InlineData("top_p=1.1", "top_p must be between 0 and 1")]
    [InlineData("top_k=0", "top_k must be a positive integer")]
    [InlineData("top_k=101", "top_k must be less than or equal to 100")]
    [InlineData("bitrate=1k", "The specified bitrate is not supported. support bitrates: ['32k', '64k', '96k', '128k', '192k', '256k', '320k']")]
    public async Task Forge_ValueOutOfRange_Is422Detail(string field, string message)
    {
        await using var gpu = await EmulatorInstance.StartAsync(EmulatorKit.Instant("forge"));
        using var client = EmulatorKit.Client(gpu);

        using var response = await client.GetAsync($"v1/tts?text=Hello&{field}&format=raw&stream=true");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal(message, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        AssertNotSynthesized(gpu);
    }

    [Fact]
    public async Task Forge_MissingTextAndBadTypes_Is422ListingEveryProblem()
    {
        await using var gpu = await EmulatorInstance.StartAsync(EmulatorKit.Instant("forge"));
        using var client = EmulatorKit.Client(gpu);

        using var response = await client.GetAsync("v1/tts?top_k=many&stream=sometimes");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var detail = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail");
        Assert.Equal(
            ["missing:text", "int_parsing:top_k", "bool_parsing:stream"],
            detail.EnumerateArray().Select(e => e.GetProperty("type").GetString() + ":" + e.GetProperty("loc")[1].GetString()).ToArray());
        AssertNotSynthesized(gpu);
    }

    [Fact]
    public async Task Forge_RawStream_HeaderHasRiffSize36AndDataSize0ThenThePcm()
    {
        await using var gpu = await EmulatorInstance.StartAsync(EmulatorKit.Instant("forge"));
        using var client = EmulatorKit.Client(gpu);

        using var response = await client.GetAsync("v1/tts?text=Hello%20there&format=raw&stream=true");
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.TransferEncodingChunked);
        Assert.Equal("RIFF"u8.ToArray(), body[..4]);
        Assert.Equal(36u, BinaryPrimitives.ReadUInt32LittleEndian(body.AsSpan(4)));
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32LittleEndian(body.AsSpan(40)));
        Assert.Equal(gpu.ProducedPcm(gpu.Requests[0]), body[44..]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public async Task ChatTtsUi_MissingOrBlankText_IsHttp200CodeOne(string text)
    {
        await using var gpu = await EmulatorInstance.StartAsync(EmulatorKit.Instant("chattts-ui"));
        using var client = EmulatorKit.Client(gpu);

        using var response = await client.PostAsync("tts", new FormUrlEncodedContent([new("text", text), new("wav", "1")]));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        JsonAssert.Equal("""{"code":1,"msg":"text params lost"}""", await response.Content.ReadAsStringAsync());
        AssertNotSynthesized(gpu);
    }

    [Theory]
    [InlineData("speed", "99")]
    [InlineData("speed", "fast")]
    [InlineData("temperature", "7")]
    [InlineData("top_k", "2.5")]
    [InlineData("voice", "female2")]
    public async Task ChatTtsUi_OutOfRangeOrUnparseableValue_IsAcceptedSilently(string field, string value)
    {
        await using var gpu = await EmulatorInstance.StartAsync(EmulatorKit.Instant("chattts-ui"));
        using var client = EmulatorKit.Client(gpu);

        using var response = await client.PostAsync("tts", new FormUrlEncodedContent([new("text", "Hello there."), new("wav", "1"), new(field, value)]));
        var wav = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("audio/x-wav", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(wav.Length, response.Content.Headers.ContentLength);
        var pcm = gpu.ProducedPcm(gpu.Requests[0]);
        Assert.Equal((uint)(36 + pcm.Length), BinaryPrimitives.ReadUInt32LittleEndian(wav.AsSpan(4)));
        Assert.Equal((uint)pcm.Length, BinaryPrimitives.ReadUInt32LittleEndian(wav.AsSpan(40)));
        Assert.Equal(pcm, wav[44..]);
    }

    [Fact]
    public async Task ChatTtsUi_VoiceThatIsNotANumber_SoundsLikeSeed2222()
    {
        await using var gpu = await EmulatorInstance.StartAsync(EmulatorKit.Instant("chattts-ui"));

        var named = gpu.ProducedPcm(new SynthesisRecord("chattts-ui", "Hello.", null, "female2", new Dictionary<string, string> { ["voice"] = "female2" }));
        var seed = gpu.ProducedPcm(new SynthesisRecord("chattts-ui", "Hello.", null, "2222", new Dictionary<string, string> { ["voice"] = "2222" }));
        var other = gpu.ProducedPcm(new SynthesisRecord("chattts-ui", "Hello.", null, "1111", new Dictionary<string, string> { ["voice"] = "1111" }));

        Assert.Equal(seed, named);
        Assert.NotEqual(seed, other);
    }

    [Theory]
    [InlineData("top_p", "1.5")]
    [InlineData("top_k", "0")]
    public async Task ChatTtsUi_ValueTheSamplerRefuses_IsFlask500Page(string field, string value)
    {
        await using var gpu = await EmulatorInstance.StartAsync(EmulatorKit.Instant("chattts-ui"));
        using var client = EmulatorKit.Client(gpu);

        using var response = await client.PostAsync("tts", new FormUrlEncodedContent([new("text", "Hello."), new("wav", "1"), new(field, value)]));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<title>500 Internal Server Error</title>", await response.Content.ReadAsStringAsync());
        AssertNotSynthesized(gpu);
    }

    [Fact]
    public async Task Requests_JsonContentOrByteArrayContent_RecordChunkedOrContentLength()
    {
        await using var gpu = await EmulatorInstance.StartAsync(EmulatorKit.Instant("chattts-openai"));
        using var client = EmulatorKit.Client(gpu);
        var body = new { input = "Hello.", response_format = "wav", stream = true };
        var bytes = JsonSerializer.SerializeToUtf8Bytes(body);
        using var sized = new ByteArrayContent(bytes);
        sized.Headers.ContentType = new("application/json");

        (await client.PostAsync("v1/audio/speech", JsonContent.Create(body))).Dispose();
        (await client.PostAsync("v1/audio/speech", sized)).Dispose();

        var (chunked, withLength) = (gpu.Requests[0], gpu.Requests[1]);
        Assert.True(chunked.HasBody && chunked.ChunkedBody);
        Assert.Null(chunked.ContentLength);
        Assert.True(withLength.HasBody && !withLength.ChunkedBody);
        Assert.Equal(bytes.Length, withLength.ContentLength);
    }

    [Fact]
    public async Task Requests_GetWithoutBody_RecordNoBody()
    {
        await using var gpu = await EmulatorInstance.StartAsync(EmulatorKit.Instant("forge"));
        using var client = EmulatorKit.Client(gpu);

        (await client.GetAsync("v1/tts?text=Hello&format=raw&stream=true")).Dispose();

        Assert.False(gpu.Requests[0].HasBody);
    }

    [Fact]
    public async Task RequireContentLength_ChatTtsOpenAiChunkedBody_Is422MissingBody()
    {
        var options = EmulatorKit.Instant("chattts-openai");
        options.RequireContentLength = true;
        await using var gpu = await EmulatorInstance.StartAsync(options);
        using var client = EmulatorKit.Client(gpu);
        var body = new { input = "Hello.", response_format = "wav", stream = true };

        using var chunked = await client.PostAsync("v1/audio/speech", JsonContent.Create(body));
        using var sized = await client.PostAsync("v1/audio/speech", EmulatorKit.Json(body));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, chunked.StatusCode);
        var detail = (await chunked.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail")[0];
        Assert.Equal("missing", detail.GetProperty("type").GetString());
        Assert.Equal("""["body"]""", detail.GetProperty("loc").GetRawText());
        Assert.Equal(HttpStatusCode.OK, sized.StatusCode);
        Assert.Equal(1, gpu.PeakConcurrentSyntheses);
    }

    [Fact]
    public async Task RequireContentLength_ChatTtsUiChunkedForm_IsTextParamsLost()
    {
        var options = EmulatorKit.Instant("chattts-ui");
        options.RequireContentLength = true;
        await using var gpu = await EmulatorInstance.StartAsync(options);
        using var client = EmulatorKit.Client(gpu);
        using var form = new StreamContent(new ChunkedStream("text=Hello&wav=1"u8.ToArray())); // not seekable: sent chunked
        form.Headers.ContentType = new("application/x-www-form-urlencoded");

        using var response = await client.PostAsync("tts", form);

        Assert.True(gpu.Requests[0].ChunkedBody);
        JsonAssert.Equal("""{"code":1,"msg":"text params lost"}""", await response.Content.ReadAsStringAsync());
    }

    private static async Task<byte[]> PostAsync(HttpClient client, string json)
    {
        using var response = await client.PostAsync("v1/audio/speech", EmulatorKit.Json(json));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsByteArrayAsync();
    }

    private static void AssertNotSynthesized(EmulatorInstance gpu)
    {
        Assert.Equal(1, gpu.RequestCount);
        Assert.Single(gpu.Requests);
        Assert.Equal(0, gpu.PeakConcurrentSyntheses);
        Assert.Equal(TimeSpan.Zero, gpu.BusyTime);
    }
}
