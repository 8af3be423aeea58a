using System.Net;
using System.Text;
using System.Text.Json;

namespace ChatTts.Edge.Backends;

/// <summary>
/// Reads a backend's non-success answer into a <see cref="BackendException"/>. A server's own "your request is wrong"
/// becomes <see cref="BackendFailureKind.Rejected"/>, quoting its reason: 400, 413, 414 and 422 (FastAPI's
/// <c>{"detail": …}</c>), and openai_api.py's validation errors, which it answers as HTTP 500
/// <c>{"error":{"type":"ValidationError"}}</c>. Anything else is a <see cref="BackendFailureKind.Status"/> failure,
/// with the backend's <c>Retry-After</c>. At most <see cref="MaxBodyBytes"/> of the body are read.
/// </summary>
internal static class BackendFailures
{
    /// <summary>Enough for any error message; the rest of a larger body is not read.</summary>
    public const int MaxBodyBytes = 64 * 1024;

    public static async Task<BackendException> FromStatusAsync(HttpResponseMessage response, TimeProvider time, CancellationToken cancellationToken)
    {
        var body = await ReadHeadAsync(response.Content, MaxBodyBytes, cancellationToken);
        var (reason, validationError) = Describe(body);
        var status = (int)response.StatusCode;
        if (status is 400 or 413 or 414 or 422 || validationError)
        {
            return new BackendException(BackendFailureKind.Rejected, $"the backend refused the request ({status}): {BackendException.Quote(reason ?? response.ReasonPhrase)}")
            {
                StatusCode = response.StatusCode,
            };
        }

        return new BackendException(BackendFailureKind.Status, $"the backend answered {status} {response.ReasonPhrase}")
        {
            StatusCode = response.StatusCode,
            RetryAfter = RetryAfter.FromHeader(response.Headers.RetryAfter, time),
        };
    }

    /// <summary>The first <paramref name="maxBytes"/> bytes of a body (fewer when it is shorter).</summary>
    public static async Task<ReadOnlyMemory<byte>> ReadHeadAsync(HttpContent content, int maxBytes, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[maxBytes];
        var filled = 0;
        int read;
        while (filled < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken)) > 0)
        {
            filled += read;
        }

        return buffer.AsMemory(0, filled);
    }

    /// <summary>The reason in a body of a shape the ChatTTS servers use, and whether it is a validation error.</summary>
    private static (string? Reason, bool ValidationError) Describe(ReadOnlyMemory<byte> body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, false);
            }

            if (root.TryGetProperty("detail", out var detail))
            {
                return (Detail(detail), false);
            }

            if (root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
            {
                var type = error.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
                return (Text(error, "message"), type == "ValidationError");
            }

            return (Text(root, "msg") ?? Text(root, "message"), false);
        }
        catch (JsonException)
        {
            return (body.IsEmpty ? null : Encoding.UTF8.GetString(body.Span[..Math.Min(body.Length, 400)]), false);
        }
    }

    /// <summary>FastAPI's <c>detail</c>: a string, or a list of <c>{"loc": [...], "msg": "…"}</c>.</summary>
    private static string? Detail(JsonElement detail) => detail.ValueKind switch
    {
        JsonValueKind.String => detail.GetString(),
        JsonValueKind.Array => string.Join("; ", detail.EnumerateArray()
            .Where(item => item.ValueKind == JsonValueKind.Object)
            .Select(item => item.TryGetProperty("loc", out var loc) && loc.ValueKind == JsonValueKind.Array && loc.GetArrayLength() > 0
                ? $"{loc[loc.GetArrayLength() - 1]}: {Text(item, "msg")}"
                : Text(item, "msg"))),
        _ => null,
    };

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
