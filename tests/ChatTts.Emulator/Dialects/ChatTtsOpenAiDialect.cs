using ChatTts.Emulator.Speech;
using Microsoft.AspNetCore.Http;

namespace ChatTts.Emulator.Dialects;

/// <summary>2noise/ChatTTS <c>examples/api/openai_api.py</c>: <c>POST /v1/audio/speech</c> with
/// <c>{model, input, voice, response_format, speed, stream}</c>. Streaming wav is a header whose sizes are
/// 0xFFFFFFFF, sent with the first audio, then raw PCM. Errors are <c>{"error":{"message","type"}}</c>.</summary>
internal sealed class ChatTtsOpenAiDialect : Dialect
{
    private const int MaxInputLength = 2048;
    private static readonly string[] Voices = ["default", "alloy", "echo"];
    private static readonly string[] Formats = ["mp3", "wav", "ogg"];

    public override string Name => DialectRegistry.ChatTtsOpenAi;

    public override string HealthPath => "/health";

    public override string SynthesisPath => "/v1/audio/speech";

    public override IReadOnlyList<string> SynthesisMethods { get; } = [HttpMethods.Post];

    public override IResult Healthy() => TypedResults.Json(new { status = "healthy", model_loaded = true });

    public override IResult Error(int statusCode, string message) =>
        TypedResults.Json(new { error = new { message, type = "HTTPException" } }, statusCode: statusCode);

    public override async Task<ParsedRequest> ParseAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var body = await RequestFields.FromJsonObjectAsync(request, cancellationToken);
        var fields = body ?? [];
        var record = new SynthesisRecord(Name, fields.GetValueOrDefault("input") ?? string.Empty, null, fields.GetValueOrDefault("voice"), fields);
        var rejection = body is null ? FastApiErrors.InvalidJson() : Validate(fields, record.Text);
        var stream = fields.TryGetValue("stream", out var value) && RequestFields.TryBool(value, out var flag) && flag;
        return new ParsedRequest(record, stream ? AudioFraming.WavStreamUnknownSize : AudioFraming.WholeWav, rejection);
    }

    public override SpeechKey KeyFor(SynthesisRecord record) => new(record.Text, DefaultSeed, record.Voice ?? Voices[0]);

    private IResult? Validate(Dictionary<string, string> fields, string input)
    {
        if (!fields.ContainsKey("model"))
        {
            return FastApiErrors.Missing("body", "model");
        }

        if (!fields.ContainsKey("input"))
        {
            return FastApiErrors.Missing("body", "input");
        }

        if (input.EnumerateRunes().Count() > MaxInputLength)
        {
            return FastApiErrors.TooLong("body", "input", MaxInputLength);
        }

        if (FastApiErrors.CheckTypes(fields, "body", numbers: ["speed"], booleans: ["stream"]) is { } typeError)
        {
            return typeError;
        }

        if (string.IsNullOrWhiteSpace(input))
        {
            return Error(StatusCodes.Status400BadRequest, "input must not be empty");
        }

        var voice = fields.GetValueOrDefault("voice") ?? Voices[0];
        if (!Voices.Contains(voice, StringComparer.Ordinal))
        {
            return Error(StatusCodes.Status400BadRequest, $"Unsupported voice: {voice}, supported voices: {string.Join(", ", Voices)}");
        }

        var format = fields.GetValueOrDefault("response_format") ?? "mp3";
        if (!Formats.Contains(format, StringComparer.Ordinal))
        {
            return Error(StatusCodes.Status400BadRequest, $"Unsupported audio format: {format}, supported formats: {string.Join(", ", Formats)}");
        }

        return format == "wav" ? null
            : Error(StatusCodes.Status400BadRequest, $"response_format {format} is not available: the emulator only produces wav");
    }
}
