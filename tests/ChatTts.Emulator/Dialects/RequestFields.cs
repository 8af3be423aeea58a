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

    /// <summary>The top-level properties of a JSON object body, or null when the body is not a JSON object.</summary>
    public static async Task<Dictionary<string, string>?> FromJsonObjectAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        try
        {
            using var document = await JsonDocument.ParseAsync(request.Body, cancellationToken: cancellationToken);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var fields = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                fields[property.Name] = property.Value.ValueKind == JsonValueKind.String
                    ? property.Value.GetString()!
                    : property.Value.GetRawText();
            }

            return fields;
        }
        catch (JsonException)
        {
            return null;
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
