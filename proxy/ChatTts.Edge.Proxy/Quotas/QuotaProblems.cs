namespace ChatTts.Edge.Quotas;

/// <summary>The <c>application/problem+json</c> answers of identification and quotas.</summary>
internal static class QuotaProblems
{
    public static IResult Unauthorized(string detail) => new WwwAuthenticate(TypedResults.Problem(
        statusCode: StatusCodes.Status401Unauthorized,
        title: "Unknown or missing API key",
        detail: detail));

    public static IResult Forbidden(string detail) => TypedResults.Problem(
        statusCode: StatusCodes.Status403Forbidden,
        title: "Not allowed with this credential",
        detail: detail);

    public static IResult TokenCap(int cap) => TypedResults.Problem(
        statusCode: StatusCodes.Status413PayloadTooLarge,
        title: "Text longer than the token allows",
        detail: $"This token allows at most {cap} characters per request.");

    public static IResult Exceeded(QuotaDecision decision) => TypedResults.Problem(
        statusCode: StatusCodes.Status429TooManyRequests,
        title: decision.Refused switch
        {
            QuotaLimit.Rate => "Too many requests",
            QuotaLimit.Characters => "Daily character quota used up",
            _ => "Too many streams open at once",
        },
        detail: decision.Refused switch
        {
            QuotaLimit.Rate => "The key's request rate is exceeded; retry after the time in Retry-After.",
            QuotaLimit.Characters => "This request's text would exceed the key's characters for today (UTC); the quota resets at midnight UTC.",
            _ => "The key has as many streams open as its plan allows; retry when one ends.",
        },
        extensions: new Dictionary<string, object?> { ["limit"] = Name(decision.Refused) });

    public static IResult StoreUnavailable() => TypedResults.Problem(
        statusCode: StatusCodes.Status503ServiceUnavailable,
        title: "Quotas cannot be checked",
        detail: "The quota store is unreachable and the edge is configured to refuse rather than guess. Retry shortly.");

    public static string Name(QuotaLimit limit) => limit switch
    {
        QuotaLimit.Rate => "rate",
        QuotaLimit.Characters => "characters",
        QuotaLimit.Concurrency => "concurrency",
        _ => "none",
    };

    /// <summary>Adds <c>WWW-Authenticate: Bearer</c> to a 401.</summary>
    private sealed class WwwAuthenticate(IResult inner) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.WWWAuthenticate = "Bearer";
            return inner.ExecuteAsync(httpContext);
        }
    }
}
