using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;
using ChatTts.Edge.Streaming;

namespace ChatTts.Edge.Api;

/// <summary>Reads <c>GET</c> query strings and <c>POST</c> JSON bodies into validated requests.</summary>
internal sealed class SpeechRequestReader(SpeechRequestValidator validator)
{
    private static readonly JsonDocumentOptions JsonOptions = new() { MaxDepth = 4 };

    public SpeechRequestResult ReadQuery(HttpRequest request)
    {
        if (!IsUtf8(request.QueryString.Value))
        {
            return SpeechRequestResult.Failed(StatusCodes.Status400BadRequest, "The query is not valid UTF-8",
                "Percent-encode the fields' UTF-8 bytes (as encodeURIComponent does); the query holds bytes that are not UTF-8 text.");
        }

        var query = request.Query;
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var (name, values) in query)
        {
            if (!SpeechRequestFields.Query.Contains(name))
            {
                errors[name] = [$"'{name}' is not a field of this API; the fields are {SpeechRequestFields.List(SpeechRequestFields.Query)}."];
            }
            else if (values.Count > 1)
            {
                errors[name] = [$"{name} is given {values.Count} times; give it once."];
            }
        }

        return validator.Validate(new QueryFields(query), errors);
    }

    public async Task<SpeechRequestResult> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType)
            || !(contentType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || contentType.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase)))
        {
            return SpeechRequestResult.Failed(StatusCodes.Status415UnsupportedMediaType, "The body must be JSON",
                "Send the fields as a JSON object with 'Content-Type: application/json', or use GET with a query string.");
        }

        if (request.ContentLength > HttpLimits.MaxBodyBytes)
        {
            return BodyTooLarge();
        }

        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = HttpLimits.MaxBodyBytes;
        }

        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(request.Body, JsonOptions, cancellationToken);
        }
        catch (JsonException ex)
        {
            return SpeechRequestResult.Failed(StatusCodes.Status400BadRequest, "The body is not valid JSON", $"The body is not valid JSON: {ex.Message}");
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return BodyTooLarge();
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return SpeechRequestResult.Failed(StatusCodes.Status400BadRequest, "The body must be a JSON object",
                    $"The body must be a JSON object such as {{\"text\": \"Hello\"}}; the fields are {SpeechRequestFields.List(SpeechRequestFields.Body)}.");
            }

            var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!seen.Add(property.Name))
                {
                    errors[property.Name] = [$"{property.Name} is given more than once; give it once."];
                }
                else if (property.Name == SpeechRequestFields.ApiKey)
                {
                    errors[property.Name] = ["api_key is not accepted in a body; send the key in an 'Authorization: Bearer' or 'X-Api-Key' header."];
                }
                else if (!SpeechRequestFields.Body.Contains(property.Name))
                {
                    errors[property.Name] = [$"'{property.Name}' is not a field of this API; the fields are {SpeechRequestFields.List(SpeechRequestFields.Body)}."];
                }
            }

            return validator.Validate(new JsonFields(document.RootElement), errors);
        }
    }

    /// <summary>True when the percent-decoded query is UTF-8 (ASP.NET would silently turn other bytes into U+FFFD).</summary>
    private static bool IsUtf8(string? query)
    {
        if (string.IsNullOrEmpty(query))
        {
            return true;
        }

        var bytes = new List<byte>(query.Length);
        for (var i = 0; i < query.Length; i++)
        {
            if (query[i] == '%' && i + 2 < query.Length && byte.TryParse(query.AsSpan(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var escaped))
            {
                bytes.Add(escaped);
                i += 2;
            }
            else if (query[i] < 0x80)
            {
                bytes.Add((byte)query[i]);
            }
            else
            {
                return false; // a raw non-ASCII character never reaches Kestrel's query unencoded
            }
        }

        return System.Text.Unicode.Utf8.IsValid(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(bytes));
    }

    private static SpeechRequestResult BodyTooLarge() => SpeechRequestResult.Failed(StatusCodes.Status413PayloadTooLarge,
        "The body is too large", $"A request body may have at most {HttpLimits.MaxBodyBytes} bytes.");

    private sealed class QueryFields(IQueryCollection query) : ISpeechFieldSource
    {
        public bool TryGetString(string name, out string value)
        {
            value = query[name].ToString();
            return query.ContainsKey(name);
        }

        public bool TryGetInt(string name, out int value) =>
            TryParse(name, out value, static (string s, out int v) => int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out v), "a whole number");

        public bool TryGetDouble(string name, out double value) =>
            TryParse(name, out value, static (string s, out double v) => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out v), "a number");

        public bool TryGetBool(string name, out bool value) =>
            TryParse(name, out value, static (string s, out bool v) => bool.TryParse(s, out v), "true or false");

        private bool TryParse<T>(string name, out T value, Parser<T> parse, string kind)
        {
            value = default!;
            var raw = query[name].ToString();
            if (raw.Length == 0)
            {
                return false; // An empty form field means "not given".
            }

            return parse(raw, out value) ? true : throw new FormatException($"{name} must be {kind}; got '{Truncate(raw)}'.");
        }
    }

    private sealed class JsonFields(JsonElement root) : ISpeechFieldSource
    {
        public bool TryGetString(string name, out string value)
        {
            value = "";
            if (!TryGet(name, out var element))
            {
                return false;
            }

            if (element.ValueKind != JsonValueKind.String)
            {
                throw new FormatException($"{name} must be a string.");
            }

            try
            {
                value = element.GetString()!;
            }
            catch (InvalidOperationException)
            {
                // Bytes that are not UTF-8, or an escaped lone surrogate: no text at all.
                throw new FormatException($"{name} must be valid Unicode text (UTF-8, no lone surrogates).");
            }

            return true;
        }

        public bool TryGetInt(string name, out int value)
        {
            value = 0;
            if (!TryGet(name, out var element))
            {
                return false;
            }

            return element.ValueKind == JsonValueKind.Number && element.TryGetInt32(out value)
                ? true
                : throw new FormatException($"{name} must be a whole number.");
        }

        public bool TryGetDouble(string name, out double value)
        {
            value = 0;
            if (!TryGet(name, out var element))
            {
                return false;
            }

            value = element.ValueKind == JsonValueKind.Number ? element.GetDouble() : throw new FormatException($"{name} must be a number.");
            return true;
        }

        public bool TryGetBool(string name, out bool value)
        {
            value = false;
            if (!TryGet(name, out var element))
            {
                return false;
            }

            value = element.ValueKind is JsonValueKind.True or JsonValueKind.False ? element.GetBoolean() : throw new FormatException($"{name} must be true or false.");
            return true;
        }

        private bool TryGet(string name, out JsonElement element) =>
            root.TryGetProperty(name, out element) && element.ValueKind != JsonValueKind.Null;
    }

    private delegate bool Parser<T>(string raw, out T value);

    private static string Truncate(string raw) => raw.Length <= 32 ? raw : string.Concat(raw.AsSpan(0, 32), "…");
}
