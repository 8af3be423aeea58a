using System.Net;
using System.Text;
using System.Text.Json;
using ChatTts.Edge.Tests.Infrastructure;
using ChatTts.Emulator;

namespace ChatTts.Edge.Tests.Integration;

/// <summary>Every kind of bad input gets its status and a problem+json that says what to fix; no backend hears of it.</summary>
public sealed class InputValidationTests : IAsyncLifetime
{
    private EmulatorInstance _backend = null!;
    private EdgeApp _edge = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _backend = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("webui"));
        _edge = EdgeApp.Start(_backend, new Dictionary<string, string?> { ["Edge:Streaming:MaxTextCharacters"] = "50" });
        _client = _edge.CreateRealClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _edge.DisposeAsync();
        await _backend.DisposeAsync();
    }

    [Theory]
    [InlineData("", "text", "text is required")]
    [InlineData("?text=", "text", "text is required")]
    [InlineData("?text=%20%20", "text", "text is required")]
    [InlineData("?text=hi&colour=red", "colour", "not a field of this API")]
    [InlineData("?text=hi&text=ho", "text", "give it once")]
    [InlineData("?text=hi&temperature=1.5", "temperature", "from 0 to 1")]
    [InlineData("?text=hi&temperature=-0.1", "temperature", "from 0 to 1")]
    [InlineData("?text=hi&temperature=warm", "temperature", "must be a number")]
    [InlineData("?text=hi&top_p=1.5", "top_p", "from 0 to 1")]
    [InlineData("?text=hi&top_k=0", "top_k", "from 1 to 100")]
    [InlineData("?text=hi&voice=alloy", "voice", "webui servers have no voices")]
    [InlineData("?text=hi&top_k=101", "top_k", "from 1 to 100")]
    [InlineData("?text=hi&top_k=2.5", "top_k", "whole number")]
    [InlineData("?text=hi&speed=0", "speed", "from 1 to 9")]
    [InlineData("?text=hi&speed=10", "speed", "from 1 to 9")]
    [InlineData("?text=hi&chunk_ms=19", "chunk_ms", "from 20 to 2000")]
    [InlineData("?text=hi&chunk_ms=2001", "chunk_ms", "from 20 to 2000")]
    [InlineData("?text=hi&seed=-1", "seed", "from 0 to")]
    [InlineData("?text=hi&seed=NaN", "seed", "whole number")]
    public async Task Get_BadField_Is400NamingTheField(string query, string field, string hint)
    {
        using var response = await _client.GetAsync("/v1/tts/stream" + query);

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        var message = Assert.Single(problem.GetProperty("errors").GetProperty(field).EnumerateArray()).GetString();
        Assert.Contains(hint, message);
        Assert.Contains(hint, problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Get_SeveralMistakes_AreAllReportedAtOnce()
    {
        using var response = await _client.GetAsync("/v1/tts/stream?text=hi&top_k=0&speed=12&bogus=1");

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(["bogus", "speed", "top_k"], problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order());
    }

    [Theory]
    [InlineData("This text is certainly longer than fifty characters, so it is refused.", 70)]
    [InlineData("你好你好你好你好你好你好你好你好你好你好你好你好你好你好你好你好你好你好你好你好你好你好你好你好你好你", 51)]
    [InlineData("😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀", 51)]
    public async Task Get_TextOverTheLimit_Is413CountingCharactersNotBytes(string text, int characters)
    {
        using var response = await _client.GetAsync("/v1/tts/stream?text=" + Uri.EscapeDataString(text));

        var problem = await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains($"text has {characters} characters; at most 50", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Get_TextOfExactlyTheLimit_IsAccepted()
    {
        var stream = await SseCapture.GetAsync(_client, "/v1/tts/stream?text=" + Uri.EscapeDataString(new string('a', 50)));

        Assert.Equal(HttpStatusCode.OK, stream.Status);
        Assert.Equal(1, _backend.RequestCount);
    }

    [Theory]
    [InlineData("""{"text":"hi","speed":"fast"}""", "speed", "whole number")]
    [InlineData("""{"text":42}""", "text", "must be a string")]
    [InlineData("""{"text":"hi","seed":1.5}""", "seed", "whole number")]
    [InlineData("""{"text":"hi","temperature":"0.3"}""", "temperature", "must be a number")]
    [InlineData("""{"text":"hi","Text":"ho"}""", "Text", "not a field of this API")]
    [InlineData("""{"text":"hi","api_key":"sk-123"}""", "api_key", "header")]
    [InlineData("""{"voice":"female2"}""", "text", "text is required")]
    [InlineData("""{"text":"hi","top_p":-1}""", "top_p", "from 0 to 1")]
    public async Task Post_BadField_Is400NamingTheField(string json, string field, string hint)
    {
        using var response = await _client.PostAsync("/v1/tts/stream", StreamingEndToEndTests.JsonContent(json));

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains(hint, Assert.Single(problem.GetProperty("errors").GetProperty(field).EnumerateArray()).GetString());
    }

    [Theory]
    [InlineData(new byte[] { 0xFF, 0xFE }, "valid Unicode")]                 // not UTF-8
    [InlineData(new byte[] { 0xC0, 0xAF }, "valid Unicode")]                 // overlong UTF-8 for '/'
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 }, "valid Unicode")]           // a surrogate encoded in UTF-8
    [InlineData(new byte[] { (byte)'\\', (byte)'u', (byte)'d', (byte)'8', (byte)'0', (byte)'0' }, "valid Unicode")] // an escaped lone surrogate
    [InlineData(new byte[] { (byte)'\\', (byte)'u', (byte)'0', (byte)'0', (byte)'0', (byte)'1', 0x7F }, "nothing to speak")] // control characters
    [InlineData(new byte[] { 0xEF, 0xBF, 0xBD, 0xEF, 0xBF, 0xBD }, "nothing to speak")] // U+FFFD twice
    [InlineData(new byte[] { 0xE2, 0x80, 0x8B, 0xE2, 0x80, 0x8D, 0x20 }, "nothing to speak")] // zero-width space and joiner
    public async Task Post_TextThatIsNoSpeakableText_Is400NamingText(byte[] text, string hint)
    {
        byte[] body = [.. "{\"text\":\""u8.ToArray(), .. text, .. "\"}"u8.ToArray()];
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new("application/json");

        using var response = await _client.PostAsync("/v1/tts/stream", content);

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains(hint, Assert.Single(problem.GetProperty("errors").GetProperty("text").EnumerateArray()).GetString());
    }

    [Fact]
    public async Task Post_AFieldGivenTwice_Is400()
    {
        using var response = await _client.PostAsync("/v1/tts/stream", StreamingEndToEndTests.JsonContent("""{"text":"a","text":"b"}"""));

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("give it once", Assert.Single(problem.GetProperty("errors").GetProperty("text").EnumerateArray()).GetString());
    }

    [Fact]
    public async Task Get_QueryThatIsNotUtf8_Is400()
    {
        using var response = await _client.GetAsync("/v1/tts/stream?text=hi%FF%FE");

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("UTF-8", problem.GetProperty("title").GetString());
    }

    [Fact]
    public async Task Tokens_AnAnonymousCaller_CannotMintOne()
    {
        using var response = await _client.PostAsync("/v1/tokens", StreamingEndToEndTests.JsonContent("{}"));

        var problem = await AssertProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.Contains("API key", problem.GetProperty("detail").GetString());
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Theory]
    [InlineData("{\"ttl_seconds\":", "application/json")]
    [InlineData("{}", "text/plain")]
    public async Task Tokens_ABodyThatCannotBeRead_IsProblemJson(string body, string contentType)
    {
        using var content = new StringContent(body, Encoding.UTF8, contentType);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/tokens") { Content = content };
        request.Headers.Add("X-Api-Key", "not-a-known-key");

        using var response = await _client.SendAsync(request);

        Assert.True((int)response.StatusCode is >= 400 and < 500);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Requests_TheFrameworkRefuses_AreProblemJsonToo()
    {
        using (var put = await _client.PutAsync("/v1/tts/stream", StreamingEndToEndTests.JsonContent("""{"text":"hi"}""")))
        {
            await AssertProblemAsync(put, HttpStatusCode.MethodNotAllowed);
        }

        // Over the edge's own limits, still inside Kestrel's backstop.
        using (var longLine = await _client.GetAsync("/v1/tts/stream?text=" + new string('a', 14_000)))
        {
            await AssertProblemAsync(longLine, HttpStatusCode.RequestUriTooLong);
        }

        using var bigHeaders = new HttpRequestMessage(HttpMethod.Get, "/v1/tts/stream?text=hi");
        bigHeaders.Headers.Add("X-Padding", new string('p', 40_000));
        using (var response = await _client.SendAsync(bigHeaders))
        {
            await AssertProblemAsync(response, HttpStatusCode.RequestHeaderFieldsTooLarge);
        }
    }

    [Theory]
    [InlineData("""{"text":"hi",""", "not valid JSON")]
    [InlineData("text=hi", "not valid JSON")]
    [InlineData("""["hi"]""", "JSON object")]
    [InlineData("", "not valid JSON")]
    public async Task Post_BodyThatIsNotAJsonObject_Is400(string body, string hint)
    {
        using var response = await _client.PostAsync("/v1/tts/stream", StreamingEndToEndTests.JsonContent(body));

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains(hint, problem.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData(null)]
    public async Task Post_WrongContentType_Is415(string? contentType)
    {
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes("""{"text":"hi"}"""));
        if (contentType is not null)
        {
            content.Headers.ContentType = new(contentType);
        }

        using var response = await _client.PostAsync("/v1/tts/stream", content);

        var problem = await AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
        Assert.Contains("application/json", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Post_HugeBody_Is413()
    {
        var json = """{"text":"hi","voice":""" + "\"" + new string('x', 70_000) + "\"}";

        using var response = await _client.PostAsync("/v1/tts/stream", StreamingEndToEndTests.JsonContent(json));

        await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
    }

    [Theory]
    [InlineData("abc-123", true)]
    [InlineData("0f8fad5b-d9cb-469f-a165-70867728950e", true)]
    [InlineData("trace:4bf92f3577b34da6.span_00f067aa", true)]
    [InlineData("has space", false)]
    [InlineData("<script>", false)]
    [InlineData("", false)]
    public async Task ClientsRequestId_KeptWhenValid_InTheHeaderAndTheProblem(string sent, bool kept)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/tts/stream?temperature=9");
        request.Headers.TryAddWithoutValidation("X-Request-Id", sent);

        using var response = await _client.SendAsync(request);

        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        var answered = response.Headers.GetValues("X-Request-Id").Single();
        Assert.Equal(kept, answered == sent);
        Assert.Equal(answered, problem.GetProperty("requestId").GetString());
    }

    [Fact]
    public async Task ClientsRequestId_OverTheLengthLimit_IsReplaced()
    {
        var sent = new string('a', 129);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/tts/stream");
        request.Headers.Add("X-Request-Id", sent);

        using var response = await _client.SendAsync(request);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.NotEqual(sent, response.Headers.GetValues("X-Request-Id").Single());
    }

    private async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()));
        Assert.Equal(0, _backend.RequestCount);

        // Every answer, refusals before routing included, carries the request's one id: the header, the problem's
        // requestId and its traceId.
        var id = response.Headers.GetValues("X-Request-Id").Single();
        Assert.False(string.IsNullOrEmpty(id));
        Assert.Equal(id, problem.GetProperty("requestId").GetString());
        Assert.Equal(id, problem.GetProperty("traceId").GetString());

        return problem;
    }
}
