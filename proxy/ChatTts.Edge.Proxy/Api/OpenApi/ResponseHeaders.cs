using ChatTts.Edge.Callers;
using ChatTts.Edge.Observability;
using Microsoft.OpenApi;

namespace ChatTts.Edge.Api.OpenApi;

/// <summary>The response headers the edge writes, described once.</summary>
internal static class ResponseHeaders
{
    public const string RequestId = RequestIds.Header;
    public const string RetryAfter = "Retry-After";
    public const string RateLimitLimit = "RateLimit-Limit";
    public const string RateLimitRemaining = "RateLimit-Remaining";
    public const string RateLimitReset = "RateLimit-Reset";
    public const string ServerTiming = "Server-Timing";
    public const string WwwAuthenticate = "WWW-Authenticate";

    /// <summary>The <c>RateLimit-*</c> headers, as a 429 and an admitted stream carry them.</summary>
    public static readonly string[] RateLimit = [RateLimitLimit, RateLimitRemaining, RateLimitReset];

    /// <summary>Adds the descriptions of <paramref name="headers"/> to <paramref name="response"/>.</summary>
    public static void Add(OpenApiResponse response, IEnumerable<string> headers)
    {
        foreach (var name in headers)
        {
            response.Headers ??= new Dictionary<string, IOpenApiHeader>(StringComparer.OrdinalIgnoreCase);
            response.Headers[name] = Describe(name);
        }
    }

    private static OpenApiHeader Describe(string name) => name switch
    {
        RequestId => Header("The request's id, as in `meta.request_id` and the edge's logs."),
        RetryAfter => Header("Whole seconds to wait before sending the request again (at least 1).", JsonSchemaType.Integer),
        RateLimitLimit => Header("The plan's limit this answer is about: its burst of requests (or, without a request rate, its characters " +
            "per day); on a 429, the limit that refused. Absent when the plan sets neither.", JsonSchemaType.Integer),
        RateLimitRemaining => Header("What is left of that limit.", JsonSchemaType.Integer),
        RateLimitReset => Header("Seconds until that limit is whole again.", JsonSchemaType.Integer),
        ServerTiming => Header("`quota;dur=<ms>`: what the quota check cost."),
        WwwAuthenticate => Header($"`Bearer`: send an API key or browser token as `Authorization: Bearer <key>` or `{CallerIdentifier.ApiKeyHeader}` " +
            $"(or `{CallerIdentifier.ApiKeyQuery}` in a GET's query)."),
        _ => throw new InvalidOperationException($"The response header '{name}' has no OpenAPI description."),
    };

    private static OpenApiHeader Header(string description, JsonSchemaType type = JsonSchemaType.String) =>
        new() { Description = description, Schema = new OpenApiSchema { Type = type } };
}
