using System.Globalization;
using ChatTts.Emulator.Speech;
using Microsoft.AspNetCore.Http;

namespace ChatTts.Emulator.Dialects;

/// <summary>
/// Speech-AI-Forge (ChatTTS-Forge, FastAPI): <c>GET /v1/tts?text=…&amp;spk=…&amp;seed=…&amp;format=raw&amp;stream=true</c>.
/// Streaming sends a WAV header from Python's <c>wave</c> module (RIFF size 36, data size 0) with the first audio,
/// then raw PCM. It runs requests side by side on its one GPU and stops generating when the client leaves.
/// <para>Validation as the server does it: query types first (FastAPI's 422 <c>{"detail":[…]}</c>, every problem at
/// once), then the handler's checks in its order, each an <c>HTTPException</c> <c>{"detail":"…"}</c>: empty text,
/// <c>temperature</c> and <c>top_p</c> outside 0–1, <c>top_k</c> not 1–100, an unknown bitrate, format or model,
/// <c>chunk_size</c> not positive (422); a numeric <c>style</c> (500); <c>spk</c> that is not a speaker name — a
/// number or an unknown name — (422 "Invalid speaker"); <c>bs</c> or <c>thr</c> not an integer (500). Defaults:
/// <c>spk</c> female2, <c>style</c> chat, <c>temperature</c> 0.3, <c>top_p</c> 0.5, <c>top_k</c> 20, <c>seed</c> 42.</para>
/// </summary>
internal sealed class ForgeDialect : Dialect
{
    private const string DefaultSpeaker = "female2";

    // The speakers Speech-AI-Forge ships (data/speakers/*.spkv1.json, by their "name").
    private static readonly HashSet<string> Speakers = new(StringComparer.Ordinal)
    {
        "female2", "Alice", "Bob", "bob_ft10", "mona",
        "声音有点像陈一发", "纯情男大学生", "阳光开朗大男孩", "知心小姐姐", "电视台女主持", "魅力大叔", "比较甜美", "正式",
        "娘娘腔", "好哥们", "知书达理", "班级话痨", "歪果仁讲中文", "大虎妞", "嗲嗲的很酥麻", "音色有韵味带磁性",
        "做事很着急的领导", "有磁性的男播音", "文弱书生", "天生男低音", "娘娘腔拉满了", "严肃女领导",
    };

    private static readonly string[] Bitrates = ["32k", "64k", "96k", "128k", "192k", "256k", "320k"];
    private static readonly string[] Formats = ["mp3", "wav", "ogg", "acc", "flac", "raw"];

    public override string Name => DialectRegistry.Forge;

    public override string HealthPath => "/v1/ping";

    public override string SynthesisPath => "/v1/tts";

    public override IReadOnlyList<string> SynthesisMethods { get; } = [HttpMethods.Get];

    public override bool RunsInParallel => true;

    public override JsonErrorEnvelope LargeErrorEnvelope { get; } = new(StatusCodes.Status500InternalServerError, "{\"detail\":\"", "\"}");

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
        var typeError = FastApiErrors.CheckTypes(
            fields,
            "query",
            required: ["text"],
            integers: ["top_k", "seed", "chunk_size"],
            numbers: ["temperature", "top_p", "speed", "pitch", "volume_gain"],
            booleans: ["enhance", "denoise", "stream"]);
        if (typeError is not null)
        {
            return typeError;
        }

        var problem = string.IsNullOrWhiteSpace(text) ? "Text parameter cannot be empty"
            : Number(fields, "temperature", 0.3) is < 0 or > 1 ? "Temperature must be between 0 and 1"
            : Number(fields, "top_p", 0.5) is < 0 or > 1 ? "top_p must be between 0 and 1"
            : Number(fields, "top_k", 20) <= 0 ? "top_k must be a positive integer"
            : Number(fields, "top_k", 20) > 100 ? "top_k must be less than or equal to 100"
            : !Bitrates.Contains(fields.GetValueOrDefault("bitrate", "64k")) ? $"The specified bitrate is not supported. support bitrates: {PythonList(Bitrates)}"
            : !Formats.Contains(fields.GetValueOrDefault("format", "raw")) ? $"Invalid format. Supported formats are {string.Join(", ", Formats)}"
            : fields.GetValueOrDefault("model", "chat-tts") != "chat-tts" ? $"Invalid model_id. Supported model_ids are {PythonList(["chat-tts"])}"
            : Number(fields, "chunk_size", 64) <= 0 ? "chunk_size must be a positive integer"
            : null;
        if (problem is not null)
        {
            return FastApiErrors.Detail(StatusCodes.Status422UnprocessableEntity, problem);
        }

        if (fields.GetValueOrDefault("style", "chat") is { Length: > 0 } style && style.All(char.IsDigit))
        {
            return FastApiErrors.Detail(StatusCodes.Status500InternalServerError, "The style parameter cannot be a number.");
        }

        if (!Speakers.Contains(fields.GetValueOrDefault("spk", DefaultSpeaker)))
        {
            return FastApiErrors.Detail(StatusCodes.Status422UnprocessableEntity, "Invalid speaker");
        }

        foreach (var (name, fallback) in new[] { ("bs", "8"), ("thr", "100") })
        {
            var value = fields.GetValueOrDefault(name, fallback);
            if (!RequestFields.TryInt(value, out _))
            {
                return FastApiErrors.Detail(StatusCodes.Status500InternalServerError, $"invalid literal for int() with base 10: '{value}'");
            }
        }

        return fields.GetValueOrDefault("format", "raw") is "raw" or "wav" ? null
            : FastApiErrors.Detail(StatusCodes.Status422UnprocessableEntity, "Invalid format: the emulator produces raw and wav only");
    }

    private static double Number(Dictionary<string, string> fields, string name, double fallback) =>
        fields.TryGetValue(name, out var text) && RequestFields.TryDouble(text.Trim(), out var value) ? value : fallback;

    private static string PythonList(IEnumerable<string> items) =>
        "[" + string.Join(", ", items.Select(item => string.Create(CultureInfo.InvariantCulture, $"'{item}'"))) + "]";
}
