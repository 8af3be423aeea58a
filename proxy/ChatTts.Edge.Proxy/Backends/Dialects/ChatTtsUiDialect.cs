using System.Globalization;
using System.Net.Http.Json;
using ChatTts.Edge.Audio;
using ChatTts.Edge.Streaming;

namespace ChatTts.Edge.Backends.Dialects;

/// <summary>
/// jianchang512/ChatTTS-ui: <c>POST /tts</c> with form fields and <c>wav=1</c>, answered with the whole WAV at
/// once. It reports errors as HTTP 200 with JSON <c>{"code":1,"msg":…}</c>.
/// </summary>
internal sealed class ChatTtsUiDialect : IBackendDialect
{
    public const string DialectName = "chattts-ui";

    public string Name => DialectName;

    public string HealthPath => "";

    public HttpRequestMessage CreateRequest(Uri baseAddress, SpeechRequest request)
    {
        var fields = new List<KeyValuePair<string, string>> { new("text", request.Text), new("wav", "1") };
        Add(fields, "voice", request.Voice);
        Add(fields, "temperature", request.Temperature);
        Add(fields, "top_p", request.TopP);
        Add(fields, "top_k", request.TopK);
        Add(fields, "speed", request.Speed);
        Add(fields, "text_seed", request.Seed);
        return new HttpRequestMessage(HttpMethod.Post, BackendUri.Combine(baseAddress, "tts"))
        {
            Content = new FormUrlEncodedContent(fields),
        };
    }

    public async Task ReadAudioAsync(HttpResponseMessage response, IPcmSink sink, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentType?.MediaType is "application/json" or "text/json")
        {
            var reply = await response.Content.ReadFromJsonAsync(DialectJsonContext.Default.ChatTtsUiReply, cancellationToken);
            throw new BackendException(BackendFailureKind.Protocol, reply is { Code: not 0 }
                ? $"the backend reported an error: {BackendException.Quote(reply.Msg)}"
                : "the backend answered with JSON instead of a WAV file (is it ChatTTS-ui with wav=1 support?)");
        }

        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        await WavStreamReader.ReadAsync(body, sink, cancellationToken);
    }

    internal sealed record Reply(int Code, string? Msg);

    private static void Add(List<KeyValuePair<string, string>> fields, string name, string? value)
    {
        if (value is not null)
        {
            fields.Add(new(name, value));
        }
    }

    private static void Add<T>(List<KeyValuePair<string, string>> fields, string name, T? value)
        where T : struct, IFormattable => Add(fields, name, value?.ToString(null, CultureInfo.InvariantCulture));
}
