using System.Net;
using System.Text;
using ChatTts.Edge.Backends;
using ChatTts.Edge.Backends.Dialects;
using ChatTts.Edge.Tests.Infrastructure;

namespace ChatTts.Edge.Tests.Backends.Dialects;

public sealed class WebUiDialectTests
{
    private readonly WebUiDialect _dialect = new();

    [Fact]
    public async Task CreateRequest_PostsTheWebUiJsonBody()
    {
        var request = new BackendRequest("你好", Seed: 7, Temperature: 0.3, TopP: 0.7, TopK: 20);

        using var message = _dialect.CreateRequest(new Uri("http://gpu1:9700"), request);

        Assert.Equal(HttpMethod.Post, message.Method);
        Assert.Equal("http://gpu1:9700/v1/tts?stream=true", message.RequestUri!.AbsoluteUri);
        JsonAssert.Equal("""{"text":"你好","seed":7,"stream":true,"temperature":0.3,"top_p":0.7,"top_k":20}""", await message.Content!.ReadAsStringAsync());
        Assert.NotNull(message.Content.Headers.ContentLength); // not chunked
    }

    [Fact]
    public async Task ReadAudioAsync_OneByteChunks_DecodesEveryEventsPcm()
    {
        byte[][] pieces = [TestAudio.Pcm(4801, 1), TestAudio.Pcm(3, 2), TestAudio.Pcm(12_000, 3)];
        var sse = new StringBuilder();
        foreach (var piece in pieces)
        {
            sse.Append("data: ").Append(Convert.ToBase64String(piece)).Append("\n\n");
        }

        sse.Append("event: end\ndata: {}\n\n");
        var sink = new CollectingPcmSink();

        await _dialect.ReadAudioAsync(Response(sse.ToString()), sink, TestAudio.Limits, CancellationToken.None);

        Assert.Equal(pieces.SelectMany(p => p).ToArray(), sink.Bytes);
        Assert.Equal(3, sink.Writes);
    }

    [Fact]
    public async Task ReadAudioAsync_ErrorEvent_ThrowsWithTheBackendsMessage()
    {
        var failure = await Assert.ThrowsAsync<BackendException>(() =>
            _dialect.ReadAudioAsync(Response("event: error\ndata: CUDA out of memory\n\n"), new CollectingPcmSink(), TestAudio.Limits, CancellationToken.None));

        Assert.Contains("CUDA out of memory", failure.Message);
    }

    [Fact]
    public async Task ReadAudioAsync_DataThatIsNotBase64_ThrowsProtocol()
    {
        var failure = await Assert.ThrowsAsync<BackendException>(() =>
            _dialect.ReadAudioAsync(Response("data: not base64!\n\n"), new CollectingPcmSink(), TestAudio.Limits, CancellationToken.None));

        Assert.Equal(BackendFailureKind.Protocol, failure.Kind);
    }

    private static HttpResponseMessage Response(string sse) => new(HttpStatusCode.OK)
    {
        Content = new StreamContent(new ChunkedStream(Encoding.UTF8.GetBytes(sse), 1)),
    };
}
