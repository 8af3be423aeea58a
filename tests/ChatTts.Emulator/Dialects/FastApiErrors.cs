using Microsoft.AspNetCore.Http;

namespace ChatTts.Emulator.Dialects;

/// <summary>Error bodies shaped like FastAPI's: <c>{"detail": [ … ]}</c> for request validation (422)
/// and <c>{"detail": "…"}</c> for an <c>HTTPException</c>.</summary>
internal static class FastApiErrors
{
    public static IResult Missing(string location, string field) =>
        Validation("missing", location, field, "Field required", null);

    public static IResult NotAnInteger(string location, string field, string input) =>
        Validation("int_parsing", location, field, "Input should be a valid integer, unable to parse string as an integer", input);

    public static IResult NotANumber(string location, string field, string input) =>
        Validation("float_parsing", location, field, "Input should be a valid number, unable to parse string as a number", input);

    public static IResult NotABoolean(string location, string field, string input) =>
        Validation("bool_parsing", location, field, "Input should be a valid boolean, unable to interpret input", input);

    public static IResult TooLong(string location, string field, int maxLength) =>
        Validation("string_too_long", location, field, $"String should have at most {maxLength} characters", null);

    public static IResult InvalidJson() =>
        Validation("json_invalid", "body", null, "JSON decode error", null);

    /// <summary>The first field of the given kinds that does not parse, as FastAPI would report it; null when all parse.</summary>
    public static IResult? CheckTypes(
        IReadOnlyDictionary<string, string> fields,
        string location,
        IEnumerable<string>? integers = null,
        IEnumerable<string>? numbers = null,
        IEnumerable<string>? booleans = null)
    {
        foreach (var name in integers ?? [])
        {
            if (fields.TryGetValue(name, out var value) && !RequestFields.TryInt(value.Trim(), out _))
            {
                return NotAnInteger(location, name, value);
            }
        }

        foreach (var name in numbers ?? [])
        {
            if (fields.TryGetValue(name, out var value) && !RequestFields.TryDouble(value.Trim(), out _))
            {
                return NotANumber(location, name, value);
            }
        }

        foreach (var name in booleans ?? [])
        {
            if (fields.TryGetValue(name, out var value) && !RequestFields.TryBool(value, out _))
            {
                return NotABoolean(location, name, value);
            }
        }

        return null;
    }

    public static IResult Detail(int statusCode, string message) =>
        TypedResults.Json(new { detail = message }, statusCode: statusCode);

    private static IResult Validation(string type, string location, string? field, string message, string? input)
    {
        string[] loc = field is null ? [location] : [location, field];
        return Results.Json(
            new { detail = new[] { new { type, loc, msg = message, input } } },
            statusCode: StatusCodes.Status422UnprocessableEntity);
    }
}
