using ChatTts.Emulator.Speech;
using Microsoft.AspNetCore.Http;

namespace ChatTts.Emulator.Dialects;

/// <summary>
/// 2noise/ChatTTS <c>examples/api/openai_api.py</c> (FastAPI): <c>POST /v1/audio/speech</c> with a JSON object
/// <c>{model, input, voice, response_format, speed, stream}</c>. Streaming wav is a header whose sizes are 0xFFFFFFFF,
/// sent with the first audio, then raw PCM. The model runs on the event loop: the health check waits for a synthesis
/// to end, requests are served one after another, and a stream whose client left is generated to its end.
/// <para>Validation as the server does it: <c>model</c> is overwritten with <c>tts-1</c> (so it may be omitted);
/// the body model is built inside the handler, so its errors (<c>input</c> missing or over 2048 characters,
/// <c>speed</c> outside 0.5–2.0, a wrong type) reach the catch-all handler as HTTP 500
/// <c>{"error":{"message","type":"ValidationError"}}</c>; only a body that is not a JSON object is FastAPI's 422
/// <c>{"detail":[…]}</c>; <c>HTTPException</c>s (an unknown <c>response_format</c>, a failed synthesis) are
/// <c>{"detail":"…"}</c>. Unknown voices fall back to the default speaker silently; <c>speed</c> is checked, then
/// ignored; empty input is not refused.</para>
/// </summary>
internal sealed class ChatTtsOpenAiDialect : Dialect
{
    private const int MaxInputLength = 2048;
    private static readonly string[] Voices = ["default", "alloy", "echo"];
    private static readonly string[] Formats = ["mp3", "wav", "ogg"];

    public override string Name => DialectRegistry.ChatTtsOpenAi;

    public override string HealthPath => "/health";

    public override string SynthesisPath => "/v1/audio/speech";

    public override IReadOnlyList<string> SynthesisMethods { get; } = [HttpMethods.Post];

    public override bool HealthBlocksDuringSynthesis => true;

    public override bool KeepsComputingAfterDisconnect => true;

    // An exception other than HTTPException (here one whose message is huge) goes to the catch-all handler.
    public override JsonErrorEnvelope LargeErrorEnvelope { get; } =
        new(StatusCodes.Status500InternalServerError, "{\"error\":{\"message\":\"", "\",\"type\":\"RuntimeError\"}}");

    public override IResult Healthy() => TypedResults.Json(new { status = "healthy", model_loaded = true });

    // HTTPException, answered by FastAPI's own handler (the catch-all one never sees it).
    public override IResult Error(int statusCode, string message) => FastApiErrors.Detail(statusCode, message);

    public override async Task<ParsedRequest> ParseAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var body = await RequestFields.ReadJsonObjectAsync(request, cancellationToken);
        var fields = body.Fields;
        var record = new SynthesisRecord(Name, fields.GetValueOrDefault("input") ?? string.Empty, null, fields.GetValueOrDefault("voice"), fields);
        var rejection = body.State switch
        {
            JsonBodyState.Missing => FastApiErrors.MissingBody(),
            JsonBodyState.Invalid => FastApiErrors.InvalidJson(),
            JsonBodyState.NotAnObject => FastApiErrors.NotADictionary(),
            _ => Validate(body),
        };
        var stream = fields.TryGetValue("stream", out var value) && RequestFields.TryBool(value, out var flag) && flag;
        return new ParsedRequest(record, stream ? AudioFraming.WavStreamUnknownSize : AudioFraming.WholeWav, rejection);
    }

    public override SpeechKey KeyFor(SynthesisRecord record) =>
        new(record.Text, DefaultSeed, record.Voice is { } voice && Voices.Contains(voice, StringComparer.Ordinal) ? voice : Voices[0]);

    private IResult? Validate(JsonBody body)
    {
        var errors = new PydanticErrors("OpenAITTSRequest", body)
            .String("input", required: true, maxLength: MaxInputLength)
            .String("voice")
            .String("response_format")
            .Number("speed", min: 0.5, max: 2.0)
            .Boolean("stream")
            .String("output_format");
        if (errors.Any)
        {
            return errors.ToResult();
        }

        var format = !body.Kinds.TryGetValue("response_format", out var kind) ? "mp3"
            : kind == System.Text.Json.JsonValueKind.Null ? "None"
            : body.Fields["response_format"];
        if (!Formats.Contains(format, StringComparer.Ordinal))
        {
            return Error(StatusCodes.Status400BadRequest, $"Unsupported audio format: {format}, supported formats: {string.Join(", ", Formats)}");
        }

        return format == "wav" ? null
            : Error(StatusCodes.Status400BadRequest, $"response_format {format} is not available: the emulator only produces wav");
    }
}
