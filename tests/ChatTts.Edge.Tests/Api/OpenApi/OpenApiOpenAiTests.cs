using ChatTts.Edge.Tests.Infrastructure;

namespace ChatTts.Edge.Tests.Api.OpenApi;

/// <summary>The OpenAPI document's description of OpenAI's routes: the request's fields as configured, the answers' formats.</summary>
public sealed class OpenApiOpenAiTests
{
    [Fact]
    public async Task SpeechOperation_DescribesOpenAisFields_TheConfiguredModels_AndEveryAnswerFormat()
    {
        await using var edge = EdgeApp.Start([], new Dictionary<string, string?> { ["Edge:OpenAi:Models:0"] = "chattts", ["Edge:OpenAi:Voices:house"] = "2222" });
        using var client = edge.CreateRealClient();
        var document = await EdgeOpenApiDocument.GetAsync(client);

        var speech = document.Operation("/v1/audio/speech", "post");
        var body = document.ContentSchema(speech.GetProperty("requestBody"), "application/json");
        Assert.Equal(["model", "input", "voice", "response_format", "speed", "instructions", "stream_format"], body.GetProperty("properties").EnumerateObject().Select(p => p.Name));
        Assert.Equal(["model", "input", "voice"], body.GetProperty("required").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(["chattts"], body.GetProperty("properties").GetProperty("model").GetProperty("enum").EnumerateArray().Select(m => m.GetString()));
        Assert.Contains("house", body.GetProperty("properties").GetProperty("voice").GetProperty("enum").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal(["wav", "pcm"], body.GetProperty("properties").GetProperty("response_format").GetProperty("enum").EnumerateArray().Select(f => f.GetString()));

        var ok = speech.GetProperty("responses").GetProperty("200").GetProperty("content");
        Assert.Equal(["audio/wav", "audio/pcm", "text/event-stream"], ok.EnumerateObject().Select(c => c.Name));
        foreach (var status in new[] { "400", "401", "429", "503" })
        {
            var error = document.ContentSchema(speech.GetProperty("responses").GetProperty(status), "application/json");
            Assert.Equal(["error"], error.GetProperty("required").EnumerateArray().Select(r => r.GetString()));
        }

        Assert.True(speech.GetProperty("responses").GetProperty("429").GetProperty("headers").TryGetProperty("Retry-After", out _));
        Assert.True(document.Operation("/v1/models", "get").GetProperty("responses").TryGetProperty("200", out _));
    }
}
