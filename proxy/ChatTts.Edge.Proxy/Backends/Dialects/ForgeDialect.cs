using System.Globalization;
using ChatTts.Edge.Audio;
using Microsoft.AspNetCore.WebUtilities;

namespace ChatTts.Edge.Backends.Dialects;

/// <summary>
/// Speech-AI-Forge: <c>GET /v1/tts?text=…&amp;format=raw&amp;stream=true</c>, answered with a chunked WAV
/// stream whose header sizes are 0. Its speakers are names (<c>female2</c>, <c>Alice</c>…); it stops generating
/// when its client leaves.
/// </summary>
internal sealed class ForgeDialect : IBackendDialect
{
    public const string DialectName = "forge";

    public string Name => DialectName;

    public string HealthPath => "v1/ping";

    public TimeSpan FinishingTimeout => TimeSpan.Zero;

    public UnsupportedField? Unsupported(BackendRequest request) =>
        request.Voice is { } voice && (voice.Length == 0 || voice.All(char.IsAsciiDigit))
            ? new UnsupportedField("voice", "forge servers take a speaker name such as female2 or Alice, not a number")
            : null;

    public HttpRequestMessage CreateRequest(Uri baseAddress, BackendRequest request)
    {
        var query = new Dictionary<string, string?>
        {
            ["text"] = request.Text,
            ["spk"] = request.Voice,
            ["seed"] = Format(request.Seed),
            ["temperature"] = Format(request.Temperature),
            ["top_p"] = Format(request.TopP),
            ["top_k"] = Format(request.TopK),
            ["format"] = "raw",
            ["stream"] = "true",
        };
        var uri = QueryHelpers.AddQueryString(BackendUri.Combine(baseAddress, "v1/tts").AbsoluteUri, query);
        return new HttpRequestMessage(HttpMethod.Get, uri);
    }

    public async Task ReadAudioAsync(HttpResponseMessage response, IPcmSink sink, BackendLimits limits, CancellationToken cancellationToken)
    {
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        await WavStreamReader.ReadAsync(body, sink, limits, cancellationToken);
    }

    private static string? Format<T>(T? value)
        where T : struct, IFormattable => value?.ToString(null, CultureInfo.InvariantCulture);
}
