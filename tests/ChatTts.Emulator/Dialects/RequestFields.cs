using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace ChatTts.Emulator.Dialects;

/// <summary>Collects a request's fields as received, and reads typed values from them.</summary>
internal static class RequestFields
{
    public static Dictionary<string, string> FromQuery(HttpRequest request)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, values) in request.Query)
        {
            fields[name] = values.ToString();
        }

        return fields;
    }

    public static async Task AddFormAsync(HttpRequest request, Dictionary<string, string> fields, CancellationToken cancellationToken)
    {
        if (!request.HasFormContentType)
        {
            return;
        }

        var form = await request.ReadFormAsync(cancellationToken);
        foreach (var (name, values) in form)
        {
            fields.TryAdd(name, values.ToString());
        }
    }

    /// <summary>A JSON body: whether there was one and it was an object, and its top-level properties (a JSON string
    /// without its quotes, other values as raw JSON text) with their kinds.</summary>
    public static async Task<JsonBody> ReadJsonObjectAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken);
        if (buffer.Length == 0)
        {
            return new JsonBody(JsonBodyState.Missing, [], []);
        }

        try
        {
            using var document = JsonDocument.Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return new JsonBody(JsonBodyState.NotAnObject, [], []);
            }

            var fields = new Dictionary<string, string>(StringComparer.Ordinal);
            var kinds = new Dictionary<string, JsonValueKind>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                fields[property.Name] = property.Value.ValueKind == JsonValueKind.String
                    ? property.Value.GetString()!
                    : property.Value.GetRawText();
                kinds[property.Name] = property.Value.ValueKind;
            }

            return new JsonBody(JsonBodyState.Object, fields, kinds);
        }
        catch (JsonException)
        {
            return new JsonBody(JsonBodyState.Invalid, [], []);
        }
    }

    public static bool TryInt(string value, out int result) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out result);

    public static bool TryDouble(string value, out double result) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out result) && double.IsFinite(result);

    /// <summary>Booleans as FastAPI/pydantic accept them: true/false, 1/0, yes/no, on/off.</summary>
    public static bool TryBool(string value, out bool result)
    {
        switch (value.Trim().ToUpperInvariant())
        {
            case "TRUE" or "1" or "YES" or "ON" or "T" or "Y":
                result = true;
                return true;
            case "FALSE" or "0" or "NO" or "OFF" or "F" or "N":
                result = false;
                return true;
            default:
                result = false;
                return false;
        }
    }

    public static int? IntOrNull(IReadOnlyDictionary<string, string> fields, string name) =>
        fields.TryGetValue(name, out var text) && TryInt(text.Trim(), out var value) ? value : null;
}

/// <summary>What a JSON body turned out to be.</summary>
internal enum JsonBodyState
{
    /// <summary>No body at all (or one read as empty).</summary>
    Missing,

    /// <summary>Not JSON.</summary>
    Invalid,

    /// <summary>JSON, but not an object.</summary>
    NotAnObject,

    /// <summary>A JSON object.</summary>
    Object,
}

/// <param name="State">What the body was.</param>
/// <param name="Fields">An object's top-level properties as text; empty otherwise.</param>
/// <param name="Kinds">Each property's JSON kind.</param>
internal sealed record JsonBody(JsonBodyState State, Dictionary<string, string> Fields, Dictionary<string, JsonValueKind> Kinds);
