using System.Collections.Frozen;
using ChatTts.Edge.Audio;

namespace ChatTts.Edge.Backends.Dialects;

/// <summary>
/// 2noise/ChatTTS <c>examples/api/openai_api.py</c>: <c>POST /v1/audio/speech</c>, answered with a chunked
/// WAV stream whose header sizes are 0xFFFFFFFF. It validates <c>speed</c> (0.5–2.0) but ignores it, so the edge
/// does not send it; it takes at most 2048 characters and three voices (others silently become the default one).
/// </summary>
internal sealed class ChatTtsOpenAiDialect : IBackendDialect
{
    public const string DialectName = "chattts-openai";
    public const int MaxInputCharacters = 2048;

    private static readonly FrozenSet<string> Voices = FrozenSet.Create(StringComparer.Ordinal, "default", "alloy", "echo");

    public string Name => DialectName;

    public string HealthPath => "health";

    /// <summary>Its generator runs on to the end after the client hangs up.</summary>
    public TimeSpan FinishingTimeout => DialectDefaults.KeepsComputing;

    public UnsupportedField? Unsupported(BackendRequest request) =>
        request.Voice is { } voice && !Voices.Contains(voice) ? new UnsupportedField("voice", "chattts-openai servers take the voices default, alloy and echo")
        : request.Text.EnumerateRunes().Count() > MaxInputCharacters ? new UnsupportedField("text", $"chattts-openai servers take at most {MaxInputCharacters} characters")
        : null;

    public HttpRequestMessage CreateRequest(Uri baseAddress, BackendRequest request) =>
        new(HttpMethod.Post, BackendUri.Combine(baseAddress, "v1/audio/speech"))
        {
            Content = RequestBodies.Json(
                new Body("tts-1", request.Text, request.Voice ?? "default", "wav", Stream: true),
                DialectJsonContext.Default.OpenAiBody),
        };

    public async Task ReadAudioAsync(HttpResponseMessage response, IPcmSink sink, BackendLimits limits, CancellationToken cancellationToken)
    {
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        await WavStreamReader.ReadAsync(body, sink, limits, cancellationToken);
    }

    internal sealed record Body(string Model, string Input, string Voice, string ResponseFormat, bool Stream);
}
