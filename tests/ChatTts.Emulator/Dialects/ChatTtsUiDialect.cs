using System.Globalization;
using ChatTts.Emulator.Speech;
using ChatTts.Emulator.Wav;
using Microsoft.AspNetCore.Http;

namespace ChatTts.Emulator.Dialects;

/// <summary>
/// jianchang512/ChatTTS-ui (Flask on waitress): <c>POST /tts</c> (or GET) with query or form fields
/// <c>text, voice, custom_voice, temperature, top_p, top_k, speed, text_seed, skip_refine, wav</c>; a JSON body is
/// ignored. Nothing streams: the whole WAV is built first, so a synthesis whose client left runs on to its end; with
/// <c>wav=1</c> it answers that WAV (<c>audio/x-wav</c>, <c>Content-Length</c>, correct sizes), otherwise JSON links.
/// Requests run side by side (waitress threads).
/// <para>What it checks, as the server does: each field is read from the query when given there, else from the form,
/// and a value that does not parse (<c>speed=fast</c>, <c>top_k=2.5</c>) silently becomes the default; no range is
/// checked (<c>speed</c> 1–9 is a convention: any integer becomes <c>[speed_N]</c>). Missing or blank text answers
/// HTTP 200 <c>{"code":1,"msg":"text params lost"}</c>. A voice that is not a number uses seed 2222. A <c>top_p</c>
/// outside 0–1 or a <c>top_k</c> below 1 makes the model's sampler refuse to start: Flask's HTTP 500 HTML page.</para>
/// </summary>
internal sealed class ChatTtsUiDialect : Dialect
{
    private const int DefaultVoice = 2222;

    private const string HomePage = """
        <!DOCTYPE html>
        <html lang="zh"><head><meta charset="utf-8"><title>ChatTTS WebUI &amp; API</title></head>
        <body><h1>ChatTTS WebUI &amp; API (emulator)</h1>
        <form method="post" action="/tts"><textarea name="text"></textarea>
        <input name="voice" value="2222"><input type="hidden" name="wav" value="1"><button>合成语音</button></form>
        </body></html>
        """;

    // What Flask (werkzeug) answers for an exception in a view.
    private const string InternalServerErrorPage = """
        <!doctype html>
        <html lang=en>
        <title>500 Internal Server Error</title>
        <h1>Internal Server Error</h1>
        <p>The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application.</p>

        """;

    public override string Name => DialectRegistry.ChatTtsUi;

    public override string HealthPath => "/";

    public override string SynthesisPath => "/tts";

    public override IReadOnlyList<string> SynthesisMethods { get; } = [HttpMethods.Get, HttpMethods.Post];

    public override bool KeepsComputingAfterDisconnect => true;

    public override bool RunsInParallel => true;

    public override string WavContentType => "audio/x-wav";

    public override JsonErrorEnvelope LargeErrorEnvelope { get; } = new(StatusCodes.Status200OK, "{\"code\":1,\"msg\":\"", "\"}");

    public override IResult Healthy() => TypedResults.Content(HomePage, "text/html; charset=utf-8");

    public override IResult Error(int statusCode, string message) => TypedResults.Json(new { code = 1, msg = message }, statusCode: statusCode);

    public override async Task<ParsedRequest> ParseAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var query = RequestFields.FromQuery(request);
        var form = new Dictionary<string, string>(StringComparer.Ordinal);
        await RequestFields.AddFormAsync(request, form, cancellationToken);

        // The value the server reads: the query's when it is there (not blank), else the form's.
        var fields = new Dictionary<string, string>(form, StringComparer.Ordinal);
        foreach (var (name, value) in query)
        {
            if (value.Trim().Length > 0 || !fields.ContainsKey(name))
            {
                fields[name] = value;
            }
        }

        var text = (fields.GetValueOrDefault("text") ?? string.Empty).Trim();
        var record = new SynthesisRecord(Name, text, RequestFields.IntOrNull(fields, "text_seed"), fields.GetValueOrDefault("voice"), fields);
        if (text.Length == 0)
        {
            return new ParsedRequest(record, AudioFraming.JsonSummary, Error(StatusCodes.Status200OK, "text params lost"));
        }

        if (NumberParameter(fields, "top_p", 0.7) is < 0 or > 1 || IntParameter(fields, "top_k", 20) <= 0)
        {
            return new ParsedRequest(record, AudioFraming.JsonSummary,
                TypedResults.Content(InternalServerErrorPage, "text/html; charset=utf-8", statusCode: StatusCodes.Status500InternalServerError));
        }

        if (IntParameter(fields, "wav", 0) > 0)
        {
            return new ParsedRequest(record, AudioFraming.WholeWav);
        }

        var origin = $"{request.Scheme}://{request.Host}";
        return new ParsedRequest(record, AudioFraming.JsonSummary, Summary: (pcmBytes, elapsed) => Summary(origin, record, pcmBytes, elapsed));
    }

    public override SpeechKey KeyFor(SynthesisRecord record)
    {
        var custom = IntParameter(record.Fields, "custom_voice", 0);
        var voice = custom > 0 ? custom.ToString(CultureInfo.InvariantCulture) : (record.Voice?.Trim() is { Length: > 0 } given ? given : null);
        var seedVoice = voice is not null && voice.All(char.IsAsciiDigit)
            ? (int.TryParse(voice, NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? number.ToString(CultureInfo.InvariantCulture) : voice)
            : DefaultVoice.ToString(CultureInfo.InvariantCulture);
        return new(record.Text, IntParameter(record.Fields, "text_seed", DefaultSeed), seedVoice);
    }

    // utils.get_parameter: the stripped value cast to the default's type, the default when blank or not castable.
    private static int IntParameter(IReadOnlyDictionary<string, string> fields, string name, int fallback) =>
        fields.TryGetValue(name, out var text) && RequestFields.TryInt(text.Trim(), out var value) ? value : fallback;

    private static double NumberParameter(Dictionary<string, string> fields, string name, double fallback) =>
        fields.TryGetValue(name, out var text) && RequestFields.TryDouble(text.Trim(), out var value) ? value : fallback;

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
