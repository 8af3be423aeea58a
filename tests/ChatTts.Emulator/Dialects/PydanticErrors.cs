using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace ChatTts.Emulator.Dialects;

/// <summary>
/// Validation of a JSON object against a pydantic v2 model's fields (lax mode), collecting every error, and the
/// message <c>str(ValidationError)</c> gives. 2noise's <c>openai_api.py</c> builds its model inside the handler, so
/// these errors reach its catch-all exception handler: HTTP 500 <c>{"error":{"message":…,"type":"ValidationError"}}</c>.
/// </summary>
internal sealed class PydanticErrors(string model, JsonBody body)
{
    private readonly List<(string Field, string Type, string Message)> _errors = [];

    public bool Any => _errors.Count > 0;

    /// <summary>A <c>str</c> field; null is accepted when it is optional.</summary>
    public PydanticErrors String(string field, bool required = false, int? maxLength = null)
    {
        if (!body.Kinds.TryGetValue(field, out var kind))
        {
            return required ? Add(field, "missing", "Field required") : this;
        }

        if (kind == JsonValueKind.Null && !required)
        {
            return this;
        }

        if (kind != JsonValueKind.String)
        {
            return Add(field, "string_type", "Input should be a valid string");
        }

        return maxLength is { } max && body.Fields[field].EnumerateRunes().Count() > max
            ? Add(field, "string_too_long", $"String should have at most {max} characters")
            : this;
    }

    /// <summary>An optional <c>float</c> field with <c>ge</c>/<c>le</c> bounds; numeric strings and booleans pass, as in lax mode.</summary>
    public PydanticErrors Number(string field, double min, double max)
    {
        if (!body.Kinds.TryGetValue(field, out var kind) || kind == JsonValueKind.Null)
        {
            return this;
        }

        double value;
        switch (kind)
        {
            case JsonValueKind.True or JsonValueKind.False:
                value = kind == JsonValueKind.True ? 1 : 0;
                break;
            case JsonValueKind.Number or JsonValueKind.String:
                if (!RequestFields.TryDouble(body.Fields[field].Trim(), out value))
                {
                    return Add(field, "float_parsing", "Input should be a valid number, unable to parse string as a number");
                }

                break;
            default:
                return Add(field, "float_type", "Input should be a valid number");
        }

        return value < min ? Add(field, "greater_than_equal", $"Input should be greater than or equal to {Format(min)}")
            : value > max ? Add(field, "less_than_equal", $"Input should be less than or equal to {Format(max)}")
            : this;
    }

    /// <summary>An optional <c>bool</c> field: true/false, 0/1 and the strings pydantic reads as booleans.</summary>
    public PydanticErrors Boolean(string field)
    {
        if (!body.Kinds.TryGetValue(field, out var kind) || kind is JsonValueKind.Null or JsonValueKind.True or JsonValueKind.False)
        {
            return this;
        }

        return kind is JsonValueKind.Number or JsonValueKind.String
            ? RequestFields.TryBool(body.Fields[field], out _) ? this : Add(field, "bool_parsing", "Input should be a valid boolean, unable to interpret input")
            : Add(field, "bool_type", "Input should be a valid boolean");
    }

    /// <summary>HTTP 500 with the catch-all handler's body around <c>str(ValidationError)</c>.</summary>
    public IResult ToResult() =>
        TypedResults.Json(new { error = new { message = Message(), type = "ValidationError" } }, statusCode: StatusCodes.Status500InternalServerError);

    private PydanticErrors Add(string field, string type, string message)
    {
        _errors.Add((field, type, message));
        return this;
    }

    private string Message()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{_errors.Count} validation error{(_errors.Count == 1 ? "" : "s")} for {model}");
        foreach (var (field, type, message) in _errors)
        {
            var (value, pythonType) = type == "missing" ? ("{...}", "dict") : Python(field);
            text.Append(CultureInfo.InvariantCulture, $"\n{field}\n  {message} [type={type}, input_value={value}, input_type={pythonType}]");
            text.Append(CultureInfo.InvariantCulture, $"\n    For further information visit https://errors.pydantic.dev/2.11/v/{type}");
        }

        return text.ToString();
    }

    // The input as pydantic shows it: Python's repr (long strings cut in the middle) and type name.
    private (string Value, string Type) Python(string field)
    {
        var raw = body.Fields[field];
        return body.Kinds[field] switch
        {
            JsonValueKind.String => ("'" + (raw.Length > 50 ? raw[..24] + "..." + raw[^24..] : raw) + "'", "str"),
            JsonValueKind.Number => (raw, raw.AsSpan().IndexOfAny(".eE") >= 0 ? "float" : "int"),
            JsonValueKind.True => ("True", "bool"),
            JsonValueKind.False => ("False", "bool"),
            JsonValueKind.Array => ("[...]", "list"),
            JsonValueKind.Object => ("{...}", "dict"),
            _ => ("None", "NoneType"),
        };
    }

    private static string Format(double value) => value.ToString(CultureInfo.InvariantCulture);
}
