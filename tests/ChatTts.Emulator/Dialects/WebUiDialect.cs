using ChatTts.Emulator.Speech;
using Microsoft.AspNetCore.Http;

namespace ChatTts.Emulator.Dialects;

/// <summary>The ChatTTS WebUI HTTP API: <c>POST /v1/tts?stream=true</c> with a JSON body
/// <c>{text, seed, stream, temperature, top_p, top_k}</c>; streams <c>text/event-stream</c> whose events
/// carry base64 s16le PCM. Without streaming it answers one WAV.</summary>
internal sealed class WebUiDialect : Dialect
{
    public override string Name => DialectRegistry.WebUi;

    public override string HealthPath => "/health";

    public override string SynthesisPath => "/v1/tts";

    public override IReadOnlyList<string> SynthesisMethods { get; } = [HttpMethods.Post];

    public override bool StreamsEvents => true;

    public override JsonErrorEnvelope LargeErrorEnvelope { get; } = new(StatusCodes.Status500InternalServerError, "{\"detail\":\"", "\"}");

    public override IResult Healthy() => TypedResults.Json(new { status = "ok" });

    public override IResult Error(int statusCode, string message) => FastApiErrors.Detail(statusCode, message);

    public override async Task<ParsedRequest> ParseAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var query = RequestFields.FromQuery(request);
        var json = await RequestFields.ReadJsonObjectAsync(request, cancellationToken);
        var body = json.State == JsonBodyState.Object ? json.Fields : null;
        var fields = new Dictionary<string, string>(json.Fields, StringComparer.Ordinal);
        foreach (var (name, value) in query)
        {
            fields.TryAdd(name, value);
        }

        var record = new SynthesisRecord(Name, fields.GetValueOrDefault("text") ?? string.Empty, RequestFields.IntOrNull(fields, "seed"), null, fields);
        var rejection = json.State switch
        {
            JsonBodyState.Missing => FastApiErrors.MissingBody(),
            JsonBodyState.Invalid or JsonBodyState.NotAnObject => FastApiErrors.InvalidJson(),
            _ when !json.Fields.ContainsKey("text") => FastApiErrors.Missing("body", "text"),
            _ => FastApiErrors.CheckTypes(fields, "body", integers: ["seed", "top_k"], numbers: ["temperature", "top_p"], booleans: ["stream"])
                ?? (string.IsNullOrWhiteSpace(record.Text) ? FastApiErrors.Detail(StatusCodes.Status400BadRequest, "text must not be empty") : null),
        };
        var stream = IsTrue(query, "stream") || IsTrue(body, "stream");
        return new ParsedRequest(record, stream ? AudioFraming.EventStream : AudioFraming.WholeWav, rejection);
    }

    public override SpeechKey KeyFor(SynthesisRecord record) => new(record.Text, record.Seed ?? DefaultSeed, string.Empty);

    private static bool IsTrue(Dictionary<string, string>? fields, string name) =>
        fields is not null && fields.TryGetValue(name, out var value) && RequestFields.TryBool(value, out var flag) && flag;
}
