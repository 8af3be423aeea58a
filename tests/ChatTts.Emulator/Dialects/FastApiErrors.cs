using Microsoft.AspNetCore.Http;

namespace ChatTts.Emulator.Dialects;

/// <summary>Error bodies shaped like FastAPI's: <c>{"detail": [ … ]}</c> for request validation (422, every
/// problem found at once) and <c>{"detail": "…"}</c> for an <c>HTTPException</c>.</summary>
internal static class FastApiErrors
{
    public static IResult Missing(string location, string field) => Validation([MissingError(location, field)]);

    /// <summary>A required body that is absent (or read as empty).</summary>
    public static IResult MissingBody() => Validation([new("missing", ["body"], "Field required", null)]);

    /// <summary>A body declared as a dict that is JSON but not an object.</summary>
    public static IResult NotADictionary() => Validation([new("dict_type", ["body"], "Input should be a valid dictionary", null)]);

    public static IResult TooLong(string location, string field, int maxLength) =>
        Validation([new("string_too_long", [location, field], $"String should have at most {maxLength} characters", null)]);

    public static IResult InvalidJson() => Validation([new("json_invalid", ["body"], "JSON decode error", null)]);

    /// <summary>Every field of the given kinds that does not parse, and every required one missing, as FastAPI reports
    /// them in one answer; null when all is well.</summary>
    public static IResult? CheckTypes(
        IReadOnlyDictionary<string, string> fields,
        string location,
        IEnumerable<string>? required = null,
        IEnumerable<string>? integers = null,
        IEnumerable<string>? numbers = null,
        IEnumerable<string>? booleans = null)
    {
        var errors = new List<ValidationError>();
        foreach (var name in required ?? [])
        {
            if (!fields.ContainsKey(name))
            {
                errors.Add(MissingError(location, name));
            }
        }

        Add(errors, fields, location, integers, value => RequestFields.TryInt(value.Trim(), out _),
            "int_parsing", "Input should be a valid integer, unable to parse string as an integer");
        Add(errors, fields, location, numbers, value => RequestFields.TryDouble(value.Trim(), out _),
            "float_parsing", "Input should be a valid number, unable to parse string as a number");
        Add(errors, fields, location, booleans, value => RequestFields.TryBool(value, out _),
            "bool_parsing", "Input should be a valid boolean, unable to interpret input");
        return errors.Count == 0 ? null : Validation(errors);
    }

    public static IResult Detail(int statusCode, string message) =>
        TypedResults.Json(new { detail = message }, statusCode: statusCode);

    private static ValidationError MissingError(string location, string field) => new("missing", [location, field], "Field required", null);

    private static void Add(
        List<ValidationError> errors, IReadOnlyDictionary<string, string> fields, string location, IEnumerable<string>? names,
        Func<string, bool> parses, string type, string message)
    {
        foreach (var name in names ?? [])
        {
            if (fields.TryGetValue(name, out var value) && !parses(value))
            {
                errors.Add(new(type, [location, name], message, value));
            }
        }
    }

    private static IResult Validation(IReadOnlyList<ValidationError> errors) =>
        Results.Json(
            new { detail = errors.Select(e => new { type = e.Type, loc = e.Location, msg = e.Message, input = e.Input }) },
            statusCode: StatusCodes.Status422UnprocessableEntity);

    private sealed record ValidationError(string Type, string[] Location, string Message, string? Input);
}
