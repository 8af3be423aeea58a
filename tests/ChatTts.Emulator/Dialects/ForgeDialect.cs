using ChatTts.Emulator.Speech;
using Microsoft.AspNetCore.Http;

namespace ChatTts.Emulator.Dialects;

/// <summary>Speech-AI-Forge (ChatTTS-Forge): <c>GET /v1/tts?text=…&amp;spk=…&amp;seed=…&amp;format=raw&amp;stream=true</c>.
/// Streaming sends a WAV header whose sizes are 0 at once, then raw PCM. Errors are FastAPI's
/// <c>{"detail": …}</c> with 422 for validation.</summary>
internal sealed class ForgeDialect : Dialect
{
    private const string DefaultSpeaker = "female2";

    public override string Name => DialectRegistry.Forge;

    public override string HealthPath => "/v1/ping";

    public override string SynthesisPath => "/v1/tts";

    public override IReadOnlyList<string> SynthesisMethods { get; } = [HttpMethods.Get];

    public override IResult Healthy() => TypedResults.Json(new { message = "ok", data = "pong" });

    public override IResult Error(int statusCode, string message) => FastApiErrors.Detail(statusCode, message);

    public override Task<ParsedRequest> ParseAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var fields = RequestFields.FromQuery(request);
        var record = new SynthesisRecord(Name, fields.GetValueOrDefault("text") ?? string.Empty, RequestFields.IntOrNull(fields, "seed"), fields.GetValueOrDefault("spk"), fields);
        var stream = fields.TryGetValue("stream", out var value) && RequestFields.TryBool(value, out var flag) && flag;
        var framing = stream ? AudioFraming.WavStreamZeroSize : AudioFraming.WholeWav;
        return Task.FromResult(new ParsedRequest(record, framing, Validate(fields, record.Text)));
    }

    public override SpeechKey KeyFor(SynthesisRecord record) => new(record.Text, record.Seed ?? DefaultSeed, record.Voice ?? DefaultSpeaker);

    private static IResult? Validate(Dictionary<string, string> fields, string text)
    {
        if (!fields.ContainsKey("text"))
        {
            return FastApiErrors.Missing("query", "text");
        }

        if (FastApiErrors.CheckTypes(fields, "query", integers: ["top_k", "seed", "chunk_size"], numbers: ["temperature", "top_p"], booleans: ["stream"]) is { } typeError)
        {
            return typeError;
        }

        var problem = string.IsNullOrWhiteSpace(text) ? "Text parameter cannot be empty"
            : Number(fields, "temperature", 0.3) is < 0 or > 1 ? "Temperature must be between 0 and 1"
            : Number(fields, "top_p", 0.7) is < 0 or > 1 ? "top_p must be between 0 and 1"
            : Number(fields, "top_k", 20) is <= 0 or > 100 ? "top_k must be between 1 and 100"
            : Number(fields, "chunk_size", 64) <= 0 ? "chunk_size must be a positive integer"
            : fields.GetValueOrDefault("format", "raw") is not ("raw" or "wav") ? "Invalid format: the emulator produces raw and wav only"
            : null;
        return problem is null ? null : FastApiErrors.Detail(StatusCodes.Status422UnprocessableEntity, problem);
    }

    private static double Number(Dictionary<string, string> fields, string name, double fallback) =>
        fields.TryGetValue(name, out var text) && RequestFields.TryDouble(text.Trim(), out var value) ? value : fallback;
}
