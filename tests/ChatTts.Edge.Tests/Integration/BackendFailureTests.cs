using System.Net;
using System.Text.Json;
using ChatTts.Edge.Tests.Infrastructure;
using ChatTts.Emulator;

namespace ChatTts.Edge.Tests.Integration;

/// <summary>What a client sees when its backend fails: a status before the stream opens, an error event after.</summary>
public sealed class BackendFailureTests
{
    private const string LongText = "This sentence is long enough that its audio spans many chunks, so a failure can land in the middle.";

    [Fact]
    public async Task Stream_NoDestinations_Is503WithRetryAfter()
    {
        await using var edge = EdgeApp.Start([]);
        using var client = edge.CreateRealClient();

        using var response = await client.GetAsync("/v1/tts/stream?text=hi");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task Stream_BackendAnswers503_Is503CarryingTheBackendsRetryAfter()
    {
        await using var backend = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("chattts-openai"));
        backend.Faults.Unavailable = true;
        backend.Faults.RetryAfterSeconds = 7;
        await using var edge = EdgeApp.Start(backend);
        using var client = edge.CreateRealClient();

        using var response = await client.GetAsync("/v1/tts/stream?text=hi");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(7), response.Headers.RetryAfter?.Delta);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("forge")]
    [InlineData("webui")]
    public async Task Stream_BackendFails500_Is502ProblemBeforeAnyAudio(string dialect)
    {
        await using var backend = await EmulatorInstance.StartAsync(EmulatorPresets.Fast(dialect));
        backend.Faults.Fail = true;
        await using var edge = EdgeApp.Start(backend);
        using var client = edge.CreateRealClient();

        using var response = await client.GetAsync("/v1/tts/stream?text=hi");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Contains("500", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Stream_BackendRefusesConnections_Is502()
    {
        await using var backend = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("webui"));
        backend.Faults.Refuse = true;
        await using var edge = EdgeApp.Start(backend);
        using var client = edge.CreateRealClient();

        using var response = await client.GetAsync("/v1/tts/stream?text=hi");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("chattts-openai")]
    [InlineData("forge")]
    [InlineData("webui")]
    public async Task Stream_BackendDiesMidStream_EndsWithRetryableErrorInsteadOfDone(string dialect)
    {
        await using var backend = await EmulatorInstance.StartAsync(EmulatorPresets.Fast(dialect));
        backend.Faults.DieAfterBytes = 60_000;
        await using var edge = EdgeApp.Start(backend);
        using var client = edge.CreateRealClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var stream = await SseCapture.GetAsync(client, "/v1/tts/stream?text=" + Uri.EscapeDataString(LongText) + "&chunk_ms=100", timeout.Token);

        Assert.Equal(HttpStatusCode.OK, stream.Status);
        var types = stream.EventTypes.ToList();
        Assert.Equal("meta", types[0]);
        Assert.Equal("error", types[^1]);
        Assert.DoesNotContain("done", types);
        var audio = stream.Data("audio").ToList();
        Assert.NotEmpty(audio);
        var error = stream.Single("error");
        Assert.True(error.GetProperty("retryable").GetBoolean());
        Assert.Equal("backend_interrupted", error.GetProperty("code").GetString());
        Assert.Equal(audio.Count - 1, error.GetProperty("last_seq").GetInt32());

        // What did arrive is exactly the start of the backend's audio.
        var full = backend.ProducedPcm(Assert.Single(backend.Requests));
        var received = stream.AudioPcm();
        Assert.Equal(full[..received.Length], received);
    }
}
