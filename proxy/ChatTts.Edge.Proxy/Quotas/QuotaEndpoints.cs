using System.Text.Json.Serialization;
using ChatTts.Edge.Quotas;

namespace Microsoft.AspNetCore.Builder;

internal static class QuotaEndpoints
{
    /// <summary><c>GET /v1/usage</c>: the caller's usage of its plan; <c>POST /v1/tokens</c>: a short-lived browser token.</summary>
    public static IEndpointRouteBuilder MapQuotaEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var v1 = endpoints.MapGroup("/v1");
        v1.MapGet("/usage", GetUsageAsync).AddEndpointFilter(new CallerFilter(allowTokens: true));
        v1.MapPost("/tokens", IssueToken).AddEndpointFilter(new CallerFilter(allowTokens: false));
        return endpoints;
    }

    private static async Task<IResult> GetUsageAsync(HttpContext context, QuotaGate gate, CancellationToken cancellationToken)
    {
        var caller = CallerContext.Get(context);
        if (await gate.GetUsageAsync(caller, cancellationToken) is not { } usage)
        {
            return QuotaProblems.StoreUnavailable();
        }

        var plan = caller.Plan;
        return TypedResults.Ok(new UsageResponse(
            caller.KeyId,
            caller.PlanName,
            new RateUsage(plan.RequestsPerMinute, plan.RequestsPerMinute is null ? null : plan.EffectiveBurst, usage.RateRemaining, RateLimitHeaders.Seconds(usage.RateReset)),
            new CharacterUsage(plan.CharactersPerDay, usage.CharactersUsed, plan.CharactersPerDay - usage.CharactersUsed, RateLimitHeaders.Seconds(usage.CharactersReset)),
            new StreamUsage(plan.ConcurrentStreams, usage.ActiveStreams)));
    }

    private static IResult IssueToken(HttpContext context, BrowserTokens tokens, TimeProvider time, TokenRequest? request)
    {
        var caller = CallerContext.Get(context);
        if (caller.Anonymous)
        {
            // A token stands for a key; a caller without one has nothing to hand on (and its token would not be let in).
            return QuotaProblems.Unauthorized("Minting a browser token takes an API key: send Authorization: Bearer <key> or X-Api-Key.");
        }

        var lifetime = TimeSpan.FromSeconds(request?.TtlSeconds ?? BrowserTokens.DefaultLifetime.TotalSeconds);
        if (lifetime <= TimeSpan.Zero || lifetime > BrowserTokens.MaxLifetime || request?.MaxCharacters is < 1)
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]>
                {
                    ["ttl_seconds"] = [$"between 1 and {BrowserTokens.MaxLifetime.TotalSeconds:0}"],
                    ["max_characters"] = ["at least 1, or left out"],
                },
                detail: "ttl_seconds must be 1 to 900 and max_characters, if given, at least 1.");
        }

        var issued = tokens.Issue(caller.KeyId, lifetime, request?.MaxCharacters);
        return TypedResults.Ok(new TokenResponse(issued.Token, issued.ExpiresAt, (long)(issued.ExpiresAt - time.GetUtcNow()).TotalSeconds, caller.KeyId, request?.MaxCharacters));
    }

    internal sealed record TokenRequest(
        [property: JsonPropertyName("ttl_seconds")] int? TtlSeconds,
        [property: JsonPropertyName("max_characters")] int? MaxCharacters);

    private sealed record TokenResponse(
        [property: JsonPropertyName("token")] string Token,
        [property: JsonPropertyName("expires_at")] DateTimeOffset ExpiresAt,
        [property: JsonPropertyName("expires_in")] long ExpiresIn,
        [property: JsonPropertyName("key_id")] string KeyId,
        [property: JsonPropertyName("max_characters")] int? MaxCharacters);

    private sealed record UsageResponse(
        [property: JsonPropertyName("key_id")] string KeyId,
        [property: JsonPropertyName("plan")] string Plan,
        [property: JsonPropertyName("rate")] RateUsage Rate,
        [property: JsonPropertyName("characters")] CharacterUsage Characters,
        [property: JsonPropertyName("concurrency")] StreamUsage Concurrency);

    private sealed record RateUsage(
        [property: JsonPropertyName("requests_per_minute")] double? RequestsPerMinute,
        [property: JsonPropertyName("burst")] int? Burst,
        [property: JsonPropertyName("remaining")] long? Remaining,
        [property: JsonPropertyName("reset_seconds")] long ResetSeconds);

    private sealed record CharacterUsage(
        [property: JsonPropertyName("limit")] long? Limit,
        [property: JsonPropertyName("used")] long Used,
        [property: JsonPropertyName("remaining")] long? Remaining,
        [property: JsonPropertyName("reset_seconds")] long ResetSeconds);

    private sealed record StreamUsage(
        [property: JsonPropertyName("limit")] int? Limit,
        [property: JsonPropertyName("active")] long Active);
}
