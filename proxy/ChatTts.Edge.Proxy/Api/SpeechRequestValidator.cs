using System.Globalization;
using System.Numerics;
using System.Text;
using ChatTts.Edge.Backends;
using Microsoft.Extensions.Options;
using ChatTts.Edge.Streaming;

namespace ChatTts.Edge.Api;

/// <summary>
/// One source of raw request fields (query string or JSON body). Each getter returns false when the field is
/// absent and throws <see cref="FormatException"/> with a message for the client when the value has the wrong type.
/// </summary>
internal interface ISpeechFieldSource
{
    bool TryGetString(string name, out string value);

    bool TryGetInt(string name, out int value);

    bool TryGetDouble(string name, out double value);

    bool TryGetBool(string name, out bool value);
}

/// <summary>
/// Turns raw fields into a <see cref="SpeechRequest"/>, or a problem listing every mistake at once. Ranges are ones every
/// dialect can honour; a value that no backend of the fleet can take (a voice another server family names) is refused
/// here too, before any GPU sees it.
/// </summary>
internal sealed class SpeechRequestValidator(IOptionsMonitor<StreamingOptions> options, BackendSelector fleet)
{
    public SpeechRequestResult Validate(ISpeechFieldSource fields, Dictionary<string, string[]> errors)
    {
        var limit = options.CurrentValue.MaxTextCharacters;
        var text = ReadString(fields, SpeechRequestFields.Text, errors);
        var characters = text is null ? 0 : text.EnumerateRunes().Count();
        if (string.IsNullOrWhiteSpace(text) && !errors.ContainsKey(SpeechRequestFields.Text))
        {
            errors[SpeechRequestFields.Text] = ["text is required: give the words to speak."];
        }
        else if (text is not null && characters <= limit && !HasSomethingToSay(text) && !errors.ContainsKey(SpeechRequestFields.Text))
        {
            errors[SpeechRequestFields.Text] = ["text has nothing to speak: it needs at least one letter or digit (control, invisible and replacement characters alone are not speech)."];
        }

        var voice = ReadString(fields, SpeechRequestFields.Voice, errors);
        if (voice is not null && (voice.Length > SpeechRequestLimits.MaxVoiceLength || voice.Any(char.IsControl)))
        {
            errors[SpeechRequestFields.Voice] = [$"voice must be a name or seed of at most {SpeechRequestLimits.MaxVoiceLength} printable characters."];
        }

        var lastEventId = ReadString(fields, SpeechRequestFields.LastEventId, errors);
        if (lastEventId is not null && (lastEventId.Length > SpeechRequestLimits.MaxLastEventIdLength || lastEventId.Any(char.IsControl)))
        {
            errors[SpeechRequestFields.LastEventId] = [$"last_event_id must be the id of an audio event: at most {SpeechRequestLimits.MaxLastEventIdLength} printable characters."];
        }

        var request = new SpeechRequest
        {
            LastEventId = lastEventId is { Length: > 0 } ? lastEventId : null,
            Text = text ?? "",
            Characters = characters,
            Voice = voice,
            Seed = Whole(fields, SpeechRequestFields.Seed, SpeechRequestLimits.MinSeed, SpeechRequestLimits.MaxSeed, errors),
            Speed = Whole(fields, SpeechRequestFields.Speed, SpeechRequestLimits.MinSpeed, SpeechRequestLimits.MaxSpeed, errors),
            Temperature = Number(fields, SpeechRequestFields.Temperature, SpeechRequestLimits.MinTemperature, SpeechRequestLimits.MaxTemperature, errors),
            TopP = Number(fields, SpeechRequestFields.TopP, SpeechRequestLimits.MinTopP, SpeechRequestLimits.MaxTopP, errors),
            TopK = Whole(fields, SpeechRequestFields.TopK, SpeechRequestLimits.MinTopK, SpeechRequestLimits.MaxTopK, errors),
            ChunkMs = Whole(fields, SpeechRequestFields.ChunkMs, SpeechRequestLimits.MinChunkMs, SpeechRequestLimits.MaxChunkMs, errors)
                ?? options.CurrentValue.DefaultChunkMs,
            Split = Read<bool>(fields.TryGetBool, SpeechRequestFields.Split, errors) ?? true,
        };

        if (errors.Count > 0)
        {
            if (characters > limit)
            {
                errors[SpeechRequestFields.Text] = [TooLong(characters, limit)];
            }

            return SpeechRequestResult.Invalid(errors);
        }

        if (characters > limit)
        {
            return SpeechRequestResult.TooLong(TooLong(characters, limit));
        }

        return fleet.Unsupported(request.ToBackendRequest()) is { } unsupported
            ? SpeechRequestResult.Invalid(new Dictionary<string, string[]>(StringComparer.Ordinal) { [unsupported.Field] = [unsupported.Accepted] })
            : SpeechRequestResult.Valid(request);
    }

    private static bool HasSomethingToSay(string text)
    {
        foreach (var rune in text.EnumerateRunes())
        {
            if (Rune.IsLetterOrDigit(rune) || Rune.GetUnicodeCategory(rune) is UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber)
            {
                return true;
            }
        }

        return false;
    }

    private static string TooLong(int characters, int limit) =>
        $"text has {characters} characters; at most {limit} are allowed. Split it into several requests.";

    private static int? Whole(ISpeechFieldSource fields, string name, int min, int max, Dictionary<string, string[]> errors) =>
        InRange(Read<int>(fields.TryGetInt, name, errors), name, min, max, "a whole number", errors);

    private static double? Number(ISpeechFieldSource fields, string name, double min, double max, Dictionary<string, string[]> errors) =>
        InRange(Read<double>(fields.TryGetDouble, name, errors), name, min, max, "a number", errors);

    private static T? InRange<T>(T? value, string name, T min, T max, string kind, Dictionary<string, string[]> errors)
        where T : struct, INumber<T>
    {
        if (value is { } v && (T.IsNaN(v) || v < min || v > max))
        {
            errors[name] = [$"{name} must be {kind} from {min} to {max}."];
            return null;
        }

        return value;
    }

    private static T? Read<T>(TryGet<T> get, string name, Dictionary<string, string[]> errors)
        where T : struct
    {
        try
        {
            return get(name, out var value) ? value : null;
        }
        catch (FormatException ex)
        {
            errors[name] = [ex.Message];
            return null;
        }
    }

    private static string? ReadString(ISpeechFieldSource fields, string name, Dictionary<string, string[]> errors)
    {
        try
        {
            return fields.TryGetString(name, out var value) ? value : null;
        }
        catch (FormatException ex)
        {
            errors[name] = [ex.Message];
            return null;
        }
    }

    private delegate bool TryGet<T>(string name, out T value);
}

/// <summary>Either a valid request or the problem to answer with.</summary>
internal readonly record struct SpeechRequestResult(SpeechRequest? Request, IResult? Problem)
{
    public static SpeechRequestResult Valid(SpeechRequest request) => new(request, null);

    public static SpeechRequestResult Invalid(Dictionary<string, string[]> errors) => new(null, TypedResults.ValidationProblem(
        errors,
        detail: string.Join(" ", errors.Values.SelectMany(v => v)),
        title: "The request is invalid"));

    public static SpeechRequestResult TooLong(string detail) => new(null, TypedResults.Problem(
        statusCode: StatusCodes.Status413PayloadTooLarge,
        title: "The text is too long",
        detail: detail));

    public static SpeechRequestResult Failed(int status, string title, string detail) =>
        new(null, TypedResults.Problem(statusCode: status, title: title, detail: detail));
}
