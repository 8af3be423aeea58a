using System.Globalization;
using ChatTts.Emulator.Speech;
using ChatTts.Emulator.Wav;
using Microsoft.AspNetCore.Http;

namespace ChatTts.Emulator.Dialects;

/// <summary>jianchang512/ChatTTS-ui: <c>POST /tts</c> (or GET) with form or query fields
/// <c>text, voice, temperature, top_p, top_k, speed, text_seed, skip_refine, wav</c>; a JSON body is ignored.
/// Nothing streams: with <c>wav=1</c> the whole WAV arrives at once, otherwise JSON links. Errors are
/// HTTP 200 <c>{"code":1,"msg":…}</c>.</summary>
internal sealed class ChatTtsUiDialect : Dialect
{
    private const string DefaultVoice = "2222";

    private const string HomePage = """
        <!DOCTYPE html>
        <html lang="zh"><head><meta charset="utf-8"><title>ChatTTS WebUI &amp; API</title></head>
        <body><h1>ChatTTS WebUI &amp; API (emulator)</h1>
        <form method="post" action="/tts"><textarea name="text"></textarea>
        <input name="voice" value="2222"><input type="hidden" name="wav" value="1"><button>合成语音</button></form>
        </body></html>
        """;

    public override string Name => DialectRegistry.ChatTtsUi;

    public override string HealthPath => "/";

    public override string SynthesisPath => "/tts";

    public override IReadOnlyList<string> SynthesisMethods { get; } = [HttpMethods.Get, HttpMethods.Post];

    public override IResult Healthy() => TypedResults.Content(HomePage, "text/html; charset=utf-8");

    public override IResult Error(int statusCode, string message) => TypedResults.Json(new { code = 1, msg = message }, statusCode: statusCode);

    public override async Task<ParsedRequest> ParseAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var fields = RequestFields.FromQuery(request);
        await RequestFields.AddFormAsync(request, fields, cancellationToken);
        var text = (fields.GetValueOrDefault("text") ?? string.Empty).Trim();
        var record = new SynthesisRecord(Name, text, RequestFields.IntOrNull(fields, "text_seed"), fields.GetValueOrDefault("voice"), fields);
        if (text.Length == 0)
        {
            return new ParsedRequest(record, AudioFraming.JsonSummary, Error(StatusCodes.Status200OK, "text params lost"));
        }

        if (RequestFields.IntOrNull(fields, "wav") == 1)
        {
            return new ParsedRequest(record, AudioFraming.WholeWav);
        }

        var origin = $"{request.Scheme}://{request.Host}";
        return new ParsedRequest(record, AudioFraming.JsonSummary, Summary: (pcmBytes, elapsed) => Summary(origin, record, pcmBytes, elapsed));
    }

    public override SpeechKey KeyFor(SynthesisRecord record) => new(record.Text, record.Seed ?? DefaultSeed, record.Voice ?? DefaultVoice);

    private IResult Summary(string origin, SynthesisRecord record, int pcmBytes, TimeSpan elapsed)
    {
        var key = KeyFor(record);
        var name = string.Create(CultureInfo.InvariantCulture, $"{StableHash.Of(key.Seed, key.Voice + "\n" + key.Text):x8}.wav");
        var file = new
        {
            filename = "/app/static/wavs/" + name,
            url = $"{origin}/static/wavs/{name}",
            relative_url = "/static/wavs/" + name,
            inference_time = Math.Round(elapsed.TotalSeconds, 2),
            audio_duration = Math.Round(PcmFormat.Duration(pcmBytes).TotalSeconds, 2),
        };
        return Results.Json(new { code = 0, msg = "ok", audio_files = new[] { file }, file.filename, file.url, file.relative_url });
    }
}
