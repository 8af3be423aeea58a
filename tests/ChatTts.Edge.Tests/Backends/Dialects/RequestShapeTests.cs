using System.Net;
using System.Text;
using ChatTts.Edge.Backends;
using ChatTts.Edge.Backends.Dialects;
using ChatTts.Edge.Tests.Infrastructure;

namespace ChatTts.Edge.Tests.Backends.Dialects;

public sealed class RequestShapeTests
{
    private static readonly BackendRequest Request = new("Hello & 你好", Voice: "2222", Seed: 42, Speed: 5, Temperature: 0.3, TopP: 0.7, TopK: 20);

    [Fact]
    public async Task ChatTtsOpenAi_PostsOpenAiSpeechJsonAskingForStreamedWavWithoutTheSpeedItIgnores()
    {
        using var message = new ChatTtsOpenAiDialect().CreateRequest(new Uri("http://gpu/"), Request with { Voice = null });

        Assert.Equal("http://gpu/v1/audio/speech", message.RequestUri!.AbsoluteUri);
        JsonAssert.Equal("""{"model":"tts-1","input":"Hello & 你好","voice":"default","response_format":"wav","stream":true}""", await message.Content!.ReadAsStringAsync());
        Assert.Equal(message.Content.Headers.ContentLength, (await message.Content.ReadAsByteArrayAsync()).Length);
    }

    [Fact]
    public void Forge_GetsTtsWithRawStreamedFormatInTheQuery()
    {
        using var message = new ForgeDialect().CreateRequest(new Uri("http://gpu/forge"), Request);

        Assert.Equal(HttpMethod.Get, message.Method);
        Assert.Equal(
            "http://gpu/forge/v1/tts?text=Hello%20%26%20%E4%BD%A0%E5%A5%BD&spk=2222&seed=42&temperature=0.3&top_p=0.7&top_k=20&format=raw&stream=true",
            message.RequestUri!.AbsoluteUri);
    }

    [Fact]
    public async Task ChatTtsUi_PostsFormFieldsWithWav1()
    {
        using var message = new ChatTtsUiDialect().CreateRequest(new Uri("http://gpu:9966"), Request);

        Assert.Equal("http://gpu:9966/tts", message.RequestUri!.AbsoluteUri);
        Assert.Equal("application/x-www-form-urlencoded", message.Content!.Headers.ContentType!.MediaType);
        Assert.NotNull(message.Content.Headers.ContentLength);
        Assert.Equal(
            "text=Hello+%26+%E4%BD%A0%E5%A5%BD&wav=1&voice=2222&temperature=0.3&top_p=0.7&top_k=20&speed=5&text_seed=42",
            await message.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ChatTtsUi_ErrorAsHttp200Json_ThrowsRejectedWithTheBackendsMessage()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StringContent("""{"code":1,"msg":"text params lost"}""", Encoding.UTF8, "application/json"),
        };

        var failure = await Assert.ThrowsAsync<BackendException>(() =>
            new ChatTtsUiDialect().ReadAudioAsync(response, new CollectingPcmSink(), TestAudio.Limits, CancellationToken.None));

        Assert.Equal(BackendFailureKind.Rejected, failure.Kind);
        Assert.False(failure.IsTransient);
        Assert.Contains("text params lost", failure.Message);
    }
}
