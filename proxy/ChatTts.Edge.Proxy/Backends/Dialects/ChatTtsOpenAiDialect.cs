using System.Net.Http.Json;
using ChatTts.Edge.Audio;
using ChatTts.Edge.Streaming;

namespace ChatTts.Edge.Backends.Dialects;

/// <summary>
/// 2noise/ChatTTS <c>examples/api/openai_api.py</c>: <c>POST /v1/audio/speech</c>, answered with a chunked
/// WAV stream whose header sizes are 0xFFFFFFFF.
/// </summary>
internal sealed class ChatTtsOpenAiDialect : IBackendDialect
{
    public const string DialectName = "chattts-openai";

    public string Name => DialectName;

    public string HealthPath => "health";

    public HttpRequestMessage CreateRequest(Uri baseAddress, SpeechRequest request) =>
        new(HttpMethod.Post, BackendUri.Combine(baseAddress, "v1/audio/speech"))
        {
            Content = JsonContent.Create(
                new Body("tts-1", request.Text, request.Voice ?? "default", "wav", Stream: true, request.Speed),
                DialectJsonContext.Default.OpenAiBody),
        };

    public async Task ReadAudioAsync(HttpResponseMessage response, IPcmSink sink, CancellationToken cancellationToken)
    {
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        await WavStreamReader.ReadAsync(body, sink, cancellationToken);
    }

    internal sealed record Body(string Model, string Input, string Voice, string ResponseFormat, bool Stream, int? Speed);
}
