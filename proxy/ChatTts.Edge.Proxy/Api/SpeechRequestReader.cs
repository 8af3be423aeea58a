using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;
using ChatTts.Edge.Streaming;

namespace ChatTts.Edge.Api;

/// <summary>Reads <c>GET</c> query strings and <c>POST</c> JSON bodies into validated requests.</summary>
internal sealed partial class SpeechRequestReader(SpeechRequestValidator validator)
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
        var (document, problem) = await ReadJsonObjectAsync(request, "{\"text\": \"Hello\"}", $"the fields are {SpeechRequestFields.List(SpeechRequestFields.Body)}", cancellationToken);
        if (document is null)
        {
            return new SpeechRequestResult(null, problem);
        }

        using (document)
        {
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

    /// <summary>
    /// Reads a request body that must be one JSON object of at most <see cref="HttpLimits.MaxBodyBytes"/>: the document (the caller
    /// disposes it), or the problem to answer with (415 not JSON, 413 too large, 400 not valid JSON or not an object).
    /// </summary>
    /// <param name="example">A body the route takes, for the 400's detail.</param>
    /// <param name="fields">What the route's fields are, for the 400's detail.</param>
    /// <param name="hasQueryForm">Whether the route also takes its fields in a GET query string, for the 415's detail.</param>
    public static async Task<(JsonDocument? Document, IResult? Problem)> ReadJsonObjectAsync(
        HttpRequest request, string example, string fields, CancellationToken cancellationToken, bool hasQueryForm = true)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType)
            || !(contentType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || contentType.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase)))
        {
            return (null, SpeechRequestResult.Failed(StatusCodes.Status415UnsupportedMediaType, "The body must be JSON",
                "Send the fields as a JSON object with 'Content-Type: application/json'" + (hasQueryForm ? ", or use GET with a query string." : ".")).Problem);
        }

        if (request.ContentLength > HttpLimits.MaxBodyBytes)
        {
            return (null, BodyTooLarge().Problem);
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
            return (null, SpeechRequestResult.Failed(StatusCodes.Status400BadRequest, "The body is not valid JSON", $"The body is not valid JSON: {ex.Message}").Problem);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, BodyTooLarge().Problem);
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            return (null, SpeechRequestResult.Failed(StatusCodes.Status400BadRequest, "The body must be a JSON object",
                $"The body must be a JSON object such as {example}; {fields}.").Problem);
        }

        return (document, null);
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
}
