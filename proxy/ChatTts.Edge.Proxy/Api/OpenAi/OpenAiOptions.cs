using Microsoft.Extensions.Options;

namespace ChatTts.Edge.Api.OpenAi;

/// <summary>Section <c>Edge:OpenAi</c>: what <c>POST /v1/audio/speech</c> and <c>GET /v1/models</c> accept and list.</summary>
internal sealed class OpenAiOptions
{
    public const string SectionName = "Edge:OpenAi";

    /// <summary>The <c>model</c> ids accepted (and listed by <c>/v1/models</c>); null takes <see cref="OpenAiDefaults.Models"/>. A
    /// configured list replaces the defaults; every id speaks with the same ChatTTS fleet.</summary>
    public string[]? Models { get; set; }

    /// <summary>
    /// OpenAI voice name → the edge's <c>voice</c> (an empty value: the backend's default voice). Configured entries are added to,
    /// or replace, <see cref="OpenAiDefaults.Voices"/>; a name not in the table is a 400.
    /// </summary>
    public Dictionary<string, string> Voices { get; set; } = OpenAiDefaults.Voices();

    /// <summary>The model ids in force.</summary>
    public IReadOnlyList<string> ModelIds => Models ?? OpenAiDefaults.Models;
}

/// <summary>The defaults of <c>Edge:OpenAi</c>, in one place.</summary>
internal static class OpenAiDefaults
{
    /// <summary>OpenAI's speech models, and <c>chattts</c> for clients that name what they get.</summary>
    public static readonly string[] Models = ["tts-1", "tts-1-hd", "gpt-4o-mini-tts", "chattts"];

    /// <summary>OpenAI's built-in voices.</summary>
    public static readonly string[] VoiceNames = ["alloy", "ash", "ballad", "cedar", "coral", "echo", "fable", "marin", "nova", "onyx", "sage", "shimmer", "verse"];

    /// <summary>Every OpenAI voice speaks with the backend's default voice until a deployment maps it to one of its voices.</summary>
    public static Dictionary<string, string> Voices() => VoiceNames.ToDictionary(v => v, _ => "", StringComparer.OrdinalIgnoreCase);
}

/// <summary>Checks <c>Edge:OpenAi</c>, every mistake at once, each named by its key.</summary>
internal sealed class OpenAiOptionsValidator : IValidateOptions<OpenAiOptions>
{
    private const string Section = OpenAiOptions.SectionName;
    private const int MaxNameLength = 64;

    public ValidateOptionsResult Validate(string? name, OpenAiOptions options)
    {
        var problems = new List<string>();
        if (options.Models is { Length: 0 })
        {
            problems.Add($"{Section}:Models must name at least one model id (or be left out for {string.Join(", ", OpenAiDefaults.Models)}).");
        }

        var models = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.ModelIds.Count; i++)
        {
            var model = options.ModelIds[i];
            if (!IsName(model))
            {
                problems.Add($"{Section}:Models:{i} is '{model}'; a model id is 1 to {MaxNameLength} characters without spaces or control characters.");
            }
            else if (!models.Add(model))
            {
                problems.Add($"{Section}:Models:{i} is '{model}', which is listed already.");
            }
        }

        foreach (var (voice, edgeVoice) in options.Voices)
        {
            if (!IsName(voice))
            {
                problems.Add($"{Section}:Voices has the name '{voice}'; a voice name is 1 to {MaxNameLength} characters without spaces or control characters.");
            }

            if (edgeVoice is null || edgeVoice.Length > SpeechRequestLimits.MaxVoiceLength || edgeVoice.Any(char.IsControl))
            {
                problems.Add($"{Section}:Voices:{voice} must be the edge's voice (at most {SpeechRequestLimits.MaxVoiceLength} printable characters), or empty for the backend's default voice.");
            }
        }

        if (options.Voices.Count == 0)
        {
            problems.Add($"{Section}:Voices must map at least one voice name.");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    private static bool IsName(string? value) =>
        value is { Length: > 0 and <= MaxNameLength } && !value.Any(c => char.IsWhiteSpace(c) || char.IsControl(c));
}
