using ChatTts.Edge.Api;
using ChatTts.Edge.Callers;
using ChatTts.Edge.Quotas;

namespace Microsoft.AspNetCore.Builder;

internal static class QuotaEndpoints
{
    /// <summary><c>GET /v1/usage</c>: the caller's usage of its plan; <c>POST /v1/tokens</c>: a short-lived browser token.</summary>
    public static IEndpointRouteBuilder MapQuotaEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var v1 = endpoints.MapGroup("/v1");
        v1.MapGet("/usage", GetUsageAsync).AddEndpointFilter(new CallerFilter(allowTokens: true)).DescribeUsage();
        v1.MapPost("/tokens", IssueToken).AddEndpointFilter(new CallerFilter(allowTokens: false)).DescribeTokens();
        return endpoints;
    }

    private static async Task<IResult> GetUsageAsync(HttpContext context, QuotaGate gate, CancellationToken cancellationToken)
    {
        var caller = CallerContext.Get(context);
        var account = gate.Account(caller);
        if (await gate.GetUsageAsync(account, cancellationToken) is not { } usage)
        {
            return QuotaAnswers.Refusal(new QuotaAdmission(QuotaVerdict.StoreUnavailable, null, null, account.Plan, TimeSpan.Zero));
        }

        var plan = account.Plan;
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
            return CallerFilter.Unauthorized("Minting a browser token takes an API key: send Authorization: Bearer <key> or X-Api-Key.");
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
        int? TtlSeconds = null,
        int? MaxCharacters = null);

    internal sealed record TokenResponse(
        string Token,
        DateTimeOffset ExpiresAt,
        long ExpiresIn,
        string KeyId,
        int? MaxCharacters);

    internal sealed record UsageResponse(
        string KeyId,
        string Plan,
        RateUsage Rate,
        CharacterUsage Characters,
        StreamUsage Concurrency);

    internal sealed record RateUsage(
        double? RequestsPerMinute,
        int? Burst,
        long? Remaining,
        long ResetSeconds);

    internal sealed record CharacterUsage(
        long? Limit,
        long Used,
        long? Remaining,
        long ResetSeconds);

    internal sealed record StreamUsage(
        int? Limit,
        long Active);
}
