using System.Globalization;
using System.Net;
using ChatTts.Edge.Backends;

namespace ChatTts.Edge.Streaming;

/// <summary>The <c>application/problem+json</c> answers given before a stream opens.</summary>
internal static class StreamProblems
{
    public static IResult NoBackend(TimeSpan retryAfter) => new RetryAfterResult(
        TypedResults.Problem(
            statusCode: StatusCodes.Status503ServiceUnavailable,
            title: "No ChatTTS backend is available",
            detail: "Every backend is down, draining or not configured. Retry shortly."),
        retryAfter);

    public static IResult BackendFailed(BackendException failure) => failure.StatusCode switch
    {
        HttpStatusCode.ServiceUnavailable or HttpStatusCode.TooManyRequests => new RetryAfterResult(
            TypedResults.Problem(
                statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "The ChatTTS backend is busy",
                detail: $"Synthesis could not start: {failure.Message}."),
            failure.RetryAfter ?? TimeSpan.FromSeconds(1)),
        _ => TypedResults.Problem(
            statusCode: StatusCodes.Status502BadGateway,
            title: "The ChatTTS backend failed",
            detail: $"Synthesis could not start: {failure.Message}."),
    };

    /// <summary>Adds a <c>Retry-After</c> header (whole seconds, rounded up) to another result.</summary>
    private sealed class RetryAfterResult(IResult inner, TimeSpan retryAfter) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            var seconds = Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds));
            httpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            return inner.ExecuteAsync(httpContext);
        }
    }
}
