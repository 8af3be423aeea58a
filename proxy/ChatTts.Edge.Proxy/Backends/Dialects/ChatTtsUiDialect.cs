using System.Globalization;
using System.Text.Json;
using ChatTts.Edge.Audio;

namespace ChatTts.Edge.Backends.Dialects;

/// <summary>
/// jianchang512/ChatTTS-ui: <c>POST /tts</c> with form fields and <c>wav=1</c>, answered with the whole WAV at
/// once (it goes on computing when its client leaves). It reports a request it cannot take as HTTP 200 with JSON
/// <c>{"code":1,"msg":…}</c>. Its voices are speaker seeds (<c>2222</c>) or speaker files (<c>*.pt</c>, <c>*.csv</c>).
/// </summary>
internal sealed class ChatTtsUiDialect : IBackendDialect
{
    public const string DialectName = "chattts-ui";

    public string Name => DialectName;

    public string HealthPath => "";

    public TimeSpan FinishingTimeout => DialectDefaults.KeepsComputing;

    public UnsupportedField? Unsupported(BackendRequest request) =>
        request.Voice is { } voice && !IsSpeaker(voice)
            ? new UnsupportedField("voice", "chattts-ui servers take a speaker seed such as 2222, or a speaker file name ending in .pt or .csv")
            : null;

    private static bool IsSpeaker(string voice) =>
        (voice.Length > 0 && voice.All(char.IsAsciiDigit))
        || voice.EndsWith(".pt", StringComparison.OrdinalIgnoreCase)
        || voice.EndsWith(".csv", StringComparison.OrdinalIgnoreCase);

    public HttpRequestMessage CreateRequest(Uri baseAddress, BackendRequest request)
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

    public async Task ReadAudioAsync(HttpResponseMessage response, IPcmSink sink, BackendLimits limits, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentType?.MediaType is "application/json" or "text/json")
        {
            var body = await BackendFailures.ReadHeadAsync(response.Content, BackendFailures.MaxBodyBytes + 1, cancellationToken);
            if (body.Length > BackendFailures.MaxBodyBytes)
            {
                throw new BackendException(BackendFailureKind.Protocol, $"the backend answered with JSON larger than {BackendFailures.MaxBodyBytes} bytes instead of a WAV file");
            }

            var reply = JsonSerializer.Deserialize(body.Span, DialectJsonContext.Default.ChatTtsUiReply);
            throw reply is { Code: not 0 }
                ? new BackendException(BackendFailureKind.Rejected, $"the backend refused the request: {BackendException.Quote(reply.Msg)}")
                : new BackendException(BackendFailureKind.Protocol, "the backend answered with JSON instead of a WAV file (is it ChatTTS-ui with wav=1 support?)");
        }

        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        await WavStreamReader.ReadAsync(stream, sink, limits, cancellationToken);
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
