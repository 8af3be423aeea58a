using Microsoft.AspNetCore.Http.HttpResults;

namespace ChatTts.Edge.Api.OpenAi;

/// <summary>
/// The mistakes of one OpenAI request, per field in OpenAI's names, and the 400 that lists them all. The first mistake names
/// the OpenAI error's <c>param</c> and <c>code</c> (<see cref="OpenAiErrorWriter"/> reads them from the problem's extensions).
/// </summary>
internal sealed class OpenAiRequestErrors
{
    public const string ParamExtension = "openai_param";
    public const string CodeExtension = "openai_code";

    private string? _param;
    private string? _code;

    /// <summary>The mistakes per field; the edge's own validator adds its own to it (in the edge's field names).</summary>
    public Dictionary<string, string[]> ByField { get; } = new(StringComparer.Ordinal);

    public int Count => ByField.Count;

    public void Add(string field, string code, string message)
    {
        _param ??= field;
        _code ??= code;
        ByField[field] = [message];
    }

    /// <summary>Adds a mistake and returns <paramref name="value"/>, for reads that give up on the field.</summary>
    public T Add<T>(string field, string code, string message, T value)
    {
        Add(field, code, message);
        return value;
    }

    /// <summary>
    /// The answer: every mistake in one 400, or the edge validator's own answer (a 413 for a text over the limit) when it found
    /// the only one. The validator's <c>text</c> is OpenAI's <c>input</c>.
    /// </summary>
    public IResult Problem(IResult? validatorProblem)
    {
        var fromValidator = validatorProblem is ValidationProblem validation ? validation.ProblemDetails.Errors : ByField;
        if (validatorProblem is not null and not ValidationProblem && ByField.Count == 0)
        {
            return validatorProblem;
        }

        var all = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var (field, messages) in ByField.Concat(fromValidator))
        {
            var name = field == SpeechRequestFields.Text ? OpenAiSpeechFields.Input : field;
            all.TryAdd(name, [.. messages.Select(m => field == SpeechRequestFields.Text && m.StartsWith("text ", StringComparison.Ordinal) ? "input " + m[5..] : m)]);
        }

        var first = all.First();
        return TypedResults.ValidationProblem(
            all,
            detail: string.Join(" ", all.Values.SelectMany(v => v)),
            title: "The request is invalid",
            extensions: new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                [ParamExtension] = _param ?? first.Key,
                [CodeExtension] = _code ?? "invalid_value",
            });
    }
}
