using System.Net;
using System.Text.Json;
using ChatTts.Edge.Tests.Infrastructure;
using ChatTts.Emulator;

namespace ChatTts.Edge.Tests.Integration;

/// <summary>Server families name their voices differently: a voice goes only where it means something.</summary>
public sealed class VoiceRoutingTests
{
    [Fact]
    public async Task Stream_VoiceOnlyOneFamilyTakes_GoesToThatFamilyAndNoOtherHearsOfIt()
    {
        await using var webui = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("webui"));
        await using var openai = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("chattts-openai"));
        await using var edge = EdgeApp.Start([webui, openai]);
        using var client = edge.CreateRealClient();

        for (var i = 0; i < 4; i++)
        {
            var stream = await SseCapture.GetAsync(client, $"/v1/tts/stream?text=hello+{i}&voice=echo");
            Assert.Equal("done", stream.EventTypes.Last());
            Assert.Equal("gpu1", stream.Single("done").GetProperty("backend").GetString());
            Assert.Equal(openai.ProducedPcm(openai.Requests[^1]), stream.AudioPcm());
            Assert.Equal("echo", openai.Requests[^1].Voice);
        }

        Assert.Equal(0, webui.RequestCount);
    }

    [Fact]
    public async Task Stream_VoiceNoBackendOfTheFleetTakes_Is400SayingWhatEachFamilyTakes()
    {
        await using var forge = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("forge"));
        await using var openai = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("chattts-openai"));
        await using var edge = EdgeApp.Start([forge, openai]);
        using var client = edge.CreateRealClient();

        using var response = await client.GetAsync("/v1/tts/stream?text=hello&voice=2222");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var message = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement
            .GetProperty("errors").GetProperty("voice")[0].GetString();
        Assert.Contains("chattts-openai servers take the voices default, alloy and echo", message, StringComparison.Ordinal);
        Assert.Contains("forge servers take a speaker name", message, StringComparison.Ordinal);
        Assert.Equal(0, forge.RequestCount + openai.RequestCount);
    }
}
