using System.Globalization;
using ChatTts.Edge.Quotas;

namespace ChatTts.Edge.Api;

/// <summary>What a stream's quota admission tells the client: <c>RateLimit-*</c> and <c>Server-Timing</c>, and a refusal's answer.</summary>
internal static class QuotaAnswers
{
    /// <summary>The headers every admission answer carries, admitted or not.</summary>
    public static void WriteHeaders(HttpResponse response, QuotaAdmission admission)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(admission);

        // Standard Server-Timing: what the quota check cost this request (browsers' dev tools and load tests read it).
        response.Headers.Append("Server-Timing", string.Create(CultureInfo.InvariantCulture, $"quota;dur={admission.CheckTook.TotalMilliseconds:0.###}"));
        if (admission is { Decision: { } decision, Plan: { } plan })
        {
            RateLimitHeaders.Write(response, plan, decision);
        }
    }

    /// <summary>The answer to a refused admission.</summary>
    public static IResult Refusal(QuotaAdmission admission)
    {
        ArgumentNullException.ThrowIfNull(admission);
        return admission.Verdict switch
        {
            QuotaVerdict.OverTokenCap => TypedResults.Problem(
                statusCode: StatusCodes.Status413PayloadTooLarge,
                title: "Text longer than the token allows",
                detail: $"This token allows at most {admission.TokenCap} characters per request."),
            QuotaVerdict.StoreUnavailable => RetryAfterHeader.With(TypedResults.Problem(
                statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "Quotas cannot be checked",
                detail: "The quota store is unreachable and the edge is configured to refuse rather than guess. Retry shortly."), TimeSpan.FromSeconds(1)),
            _ => Exceeded(admission.Decision!),
        };
    }

    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult Exceeded(QuotaDecision decision) => TypedResults.Problem(
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
        extensions: new Dictionary<string, object?> { ["limit"] = QuotaDecision.Name(decision.Refused) });
}
