using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;

namespace ChatTts.Edge.Tests.Api.OpenApi;

/// <summary>The edge's <c>/openapi/v1.json</c>, read as a client of the document would: operations, responses, resolved schemas.</summary>
internal sealed class EdgeOpenApiDocument
{
    private const string ComponentPrefix = "#/components/schemas/";

    private EdgeOpenApiDocument(string json)
    {
        Json = json;
        Root = JsonDocument.Parse(json).RootElement.Clone();
    }

    public string Json { get; }

    public JsonElement Root { get; }

    public static async Task<EdgeOpenApiDocument> GetAsync(HttpClient client, CancellationToken cancellationToken = default)
    {
        using var response = await client.GetAsync("/openapi/v1.json", cancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return new EdgeOpenApiDocument(await response.Content.ReadAsStringAsync(cancellationToken));
    }

    /// <summary>Every operation: path, method (lowercase) and the operation object.</summary>
    public IEnumerable<(string Path, string Method, JsonElement Operation)> Operations() =>
        Root.GetProperty("paths").EnumerateObject().SelectMany(path => path.Value.EnumerateObject()
            .Where(p => p.Name is "get" or "put" or "post" or "delete" or "options" or "head" or "patch" or "trace")
            .Select(method => (path.Name, method.Name, method.Value)));

    public JsonElement Operation(string path, string method) => Root.GetProperty("paths").GetProperty(path).GetProperty(method);

    /// <summary>The schema of a response's (or request body's) content of <paramref name="mediaType"/>, resolved.</summary>
    public JsonElement ContentSchema(JsonElement holder, string mediaType) => Resolve(holder.GetProperty("content").GetProperty(mediaType).GetProperty("schema"));

    /// <summary>Follows <c>$ref</c> to the component it names (its own keywords beside a <c>$ref</c> are annotations here).</summary>
    public JsonElement Resolve(JsonElement schema)
    {
        while (schema.TryGetProperty("$ref", out var reference))
        {
            schema = Component(RefName(reference.GetString()!));
        }

        return schema;
    }

    public JsonElement Component(string name) => Root.GetProperty("components").GetProperty("schemas").GetProperty(name);

    public static string RefName(string reference)
    {
        Assert.StartsWith(ComponentPrefix, reference, StringComparison.Ordinal);
        return reference[ComponentPrefix.Length..];
    }

    /// <summary>
    /// Runs <c>node tests/tools/openapi/validate.mjs</c> (@apidevtools/swagger-parser's <c>validate()</c>: the OpenAPI schema of the
    /// document's version and every <c>$ref</c>) on <paramref name="json"/>; its exit code and output.
    /// </summary>
    public static async Task<(int ExitCode, string Output)> ValidateAsync(string json)
    {
        var tool = Path.Combine(Repository.Root, "tests", "tools", "openapi");
        var node = InstalledProgram.Find("/usr/bin/node", "nodejs");
        Assert.True(File.Exists(Path.Combine(tool, "node_modules", "@apidevtools", "swagger-parser", "package.json")),
            $"The OpenAPI validator is not installed in {tool}: run scripts/install-deps.sh (it runs npm ci there).");

        var file = Path.Combine(Path.GetTempPath(), $"chattts-edge-openapi-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, json);
        try
        {
            using var process = Process.Start(new ProcessStartInfo(node, [Path.Combine(tool, "validate.mjs"), file])
            {
                WorkingDirectory = tool,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var error = process.StandardError.ReadToEndAsync(timeout.Token);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            finally
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }
            }

            return (process.ExitCode, (await output + await error).Trim());
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>
    /// Asserts that <paramref name="value"/> is an instance of <paramref name="schema"/> as the edge uses JSON Schema (types,
    /// <c>const</c>/<c>enum</c>, bounds, lengths, required properties), and that it has no property the schema does not name.
    /// </summary>
    public void AssertInstance(JsonElement schema, JsonElement value, string where)
    {
        schema = Resolve(schema);
        if (schema.TryGetProperty("type", out var type))
        {
            var types = type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Select(t => t.GetString()!).ToList() : [type.GetString()!];
            Assert.True(types.Any(t => IsOfType(value, t)), $"{where}: {value.GetRawText()} is not of type {string.Join("|", types)}");
        }

        if (schema.TryGetProperty("const", out var constant))
        {
            Assert.True(JsonElement.DeepEquals(constant, value), $"{where}: {value.GetRawText()} is not {constant.GetRawText()}");
        }

        if (schema.TryGetProperty("enum", out var values))
        {
            Assert.True(values.EnumerateArray().Any(v => JsonElement.DeepEquals(v, value)), $"{where}: {value.GetRawText()} is not one of {values.GetRawText()}");
        }

        if (value.ValueKind == JsonValueKind.Number)
        {
            var number = value.GetDouble();
            Assert.True(!schema.TryGetProperty("minimum", out var min) || number >= min.GetDouble(), $"{where}: {number} is below {min}");
            Assert.True(!schema.TryGetProperty("maximum", out var max) || number <= max.GetDouble(), $"{where}: {number} is above {max}");
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            var length = value.GetString()!.EnumerateRunes().Count();
            Assert.True(!schema.TryGetProperty("minLength", out var min) || length >= min.GetInt32(), $"{where}: shorter than {min}");
            Assert.True(!schema.TryGetProperty("maxLength", out var max) || length <= max.GetInt32(), $"{where}: longer than {max}");
        }

        if (value.ValueKind == JsonValueKind.Object && schema.TryGetProperty("properties", out var properties))
        {
            foreach (var required in schema.TryGetProperty("required", out var r) ? r.EnumerateArray().Select(x => x.GetString()!) : [])
            {
                Assert.True(value.TryGetProperty(required, out _), $"{where}: the required '{required}' is missing from {value.GetRawText()}");
            }

            foreach (var property in value.EnumerateObject())
            {
                Assert.True(properties.TryGetProperty(property.Name, out var propertySchema), $"{where}: '{property.Name}' is not documented");
                AssertInstance(propertySchema, property.Value, $"{where}.{property.Name}");
            }
        }
    }

    private static bool IsOfType(JsonElement value, string type) => type switch
    {
        "null" => value.ValueKind == JsonValueKind.Null,
        "string" => value.ValueKind == JsonValueKind.String,
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "integer" => value.ValueKind == JsonValueKind.Number && decimal.TryParse(value.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d == decimal.Truncate(d),
        "number" => value.ValueKind == JsonValueKind.Number,
        "object" => value.ValueKind == JsonValueKind.Object,
        "array" => value.ValueKind == JsonValueKind.Array,
        _ => throw new InvalidOperationException($"Unknown JSON Schema type '{type}'."),
    };
}
