using System.Globalization;
using ChatTts.Edge.Quotas;

namespace ChatTts.Edge.Api;

/// <summary>
/// <c>RateLimit-Limit</c>, <c>RateLimit-Remaining</c> and <c>RateLimit-Reset</c> (seconds): on a 429 they describe
/// the limit that refused the request; otherwise the plan's request rate (or, without one, its characters per day).
/// </summary>
internal static class RateLimitHeaders
{
    public static void Write(HttpResponse response, QuotaPlan plan, QuotaDecision decision)
    {
        var usage = decision.Usage;
        (long Limit, long Remaining, TimeSpan Reset)? policy = decision.Refused switch
        {
            QuotaLimit.Characters => Characters(plan, usage),
            QuotaLimit.Concurrency => (plan.ConcurrentStreams ?? 0, 0, decision.RetryAfter),
            _ when usage.RateRemaining is { } remaining => (plan.EffectiveBurst, remaining, usage.RateReset),
            _ when plan.CharactersPerDay is not null => Characters(plan, usage),
            _ => null,
        };
        if (policy is { } p)
        {
            response.Headers["RateLimit-Limit"] = p.Limit.ToString(CultureInfo.InvariantCulture);
            response.Headers["RateLimit-Remaining"] = Math.Max(0, p.Remaining).ToString(CultureInfo.InvariantCulture);
            response.Headers["RateLimit-Reset"] = Seconds(p.Reset).ToString(CultureInfo.InvariantCulture);
        }

        if (!decision.Allowed)
        {
            RetryAfterHeader.Write(response, decision.RetryAfter);
        }
    }

    public static long Seconds(TimeSpan span) => (long)Math.Ceiling(Math.Max(0, span.TotalSeconds));

    private static (long, long, TimeSpan) Characters(QuotaPlan plan, QuotaUsage usage) =>
        (plan.CharactersPerDay ?? 0, (plan.CharactersPerDay ?? 0) - usage.CharactersUsed, usage.CharactersReset);
}
