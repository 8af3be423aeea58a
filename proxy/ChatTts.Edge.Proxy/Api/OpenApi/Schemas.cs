using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.OpenApi;

namespace ChatTts.Edge.Api.OpenApi;

/// <summary>Small builders for the schemas the edge describes by hand (fields read by hand, SSE events written by hand).</summary>
internal static class Schemas
{
    public static OpenApiSchema Integer(string description, long? minimum = null, long? maximum = null, bool nullable = false, bool int64 = false) => new()
    {
        Type = Nullable(JsonSchemaType.Integer, nullable),
        Format = int64 ? "int64" : "int32",
        Minimum = minimum?.ToString(CultureInfo.InvariantCulture),
        Maximum = maximum?.ToString(CultureInfo.InvariantCulture),
        Description = description,
    };

    public static OpenApiSchema Number(string description, double? minimum = null, double? maximum = null, bool nullable = false) => new()
    {
        Type = Nullable(JsonSchemaType.Number, nullable),
        Format = "double",
        Minimum = minimum?.ToString(CultureInfo.InvariantCulture),
        Maximum = maximum?.ToString(CultureInfo.InvariantCulture),
        Description = description,
    };

    public static OpenApiSchema String(string description, bool nullable = false) => new()
    {
        Type = Nullable(JsonSchemaType.String, nullable),
        Description = description,
    };

    public static OpenApiSchema Boolean(string description) => new() { Type = JsonSchemaType.Boolean, Description = description };

    /// <summary>A string that is always <paramref name="value"/>.</summary>
    public static OpenApiSchema Const(string value, string description) => new() { Type = JsonSchemaType.String, Const = value, Description = description };

    /// <summary>An integer that is always <paramref name="value"/>.</summary>
    public static OpenApiSchema Const(int value, string description) =>
        new() { Type = JsonSchemaType.Integer, Enum = [JsonValue.Create(value)], Description = description };

    public static OpenApiSchema Enum(string description, IEnumerable<string> values) =>
        new() { Type = JsonSchemaType.String, Enum = [.. values.Select(v => (JsonNode)JsonValue.Create(v))], Description = description };

    /// <summary>A JSON object with exactly <paramref name="properties"/> (the required ones marked).</summary>
    public static OpenApiSchema Object(string description, params (string Name, IOpenApiSchema Schema, bool Required)[] properties) => new()
    {
        Type = JsonSchemaType.Object,
        Description = description,
        Properties = properties.ToDictionary(p => p.Name, p => p.Schema, StringComparer.Ordinal),
        Required = properties.Where(p => p.Required).Select(p => p.Name).ToHashSet(StringComparer.Ordinal),
    };

    /// <summary>Registers <paramref name="schema"/> as the component <paramref name="id"/> (once) and returns a reference to it.</summary>
    public static OpenApiSchemaReference Component(OpenApiDocument document, string id, Func<OpenApiSchema> schema)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal);
        if (!document.Components.Schemas.ContainsKey(id))
        {
            document.Components.Schemas[id] = schema();
        }

        return new OpenApiSchemaReference(id, document);
    }

    private static JsonSchemaType Nullable(JsonSchemaType type, bool nullable) => nullable ? type | JsonSchemaType.Null : type;
}
