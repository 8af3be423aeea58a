using System.Globalization;
using System.Net;
using ChatTts.Edge.Admission;
using ChatTts.Edge.Backends;

namespace ChatTts.Edge.Streaming;

/// <summary>The <c>application/problem+json</c> answers given before a stream opens.</summary>
internal static class StreamProblems
{
    /// <summary>503 with <c>Retry-After</c>: the admission queue had no backend for the request.</summary>
    public static IResult Refused(AdmissionRefusal refusal, TimeSpan retryAfter) => new RetryAfterResult(
        TypedResults.Problem(
            statusCode: StatusCodes.Status503ServiceUnavailable,
            title: refusal switch
            {
                AdmissionRefusal.QueueFull => "Every ChatTTS backend is busy and the queue is full",
                AdmissionRefusal.Timeout => "No ChatTTS backend became free in time",
                AdmissionRefusal.ShuttingDown => "The edge is shutting down",
                _ => "No ChatTTS backend is available",
            },
            detail: Describe(refusal)),
        retryAfter);

    /// <summary>What a refusal means for the client, in a sentence.</summary>
    public static string Describe(AdmissionRefusal refusal) => refusal switch
    {
        AdmissionRefusal.QueueFull => "Every backend is busy and too many requests are waiting already. Retry after the time in Retry-After.",
        AdmissionRefusal.Timeout => "The request waited for a free backend for the longest time allowed. Retry shortly.",
        AdmissionRefusal.ShuttingDown => "This proxy instance is stopping; retry the request, and it goes to another instance.",
        _ => "Every backend is down, draining or not configured. Retry shortly.",
    };

    public static IResult Internal() => TypedResults.Problem(
        statusCode: StatusCodes.Status500InternalServerError,
        title: "The edge failed",
        detail: "Something unexpected went wrong before any audio was sent; retry the request.");

    public static IResult BackendFailed(BackendException failure) => failure switch
    {
        { Kind: BackendFailureKind.Rejected } => TypedResults.Problem(
            statusCode: StatusCodes.Status400BadRequest,
            title: "The ChatTTS backend refused the request",
            detail: $"Synthesis could not start: {failure.Message}. Change the request; sending it again as it is will fail again."),
        { Kind: BackendFailureKind.Timeout } => TypedResults.Problem(
            statusCode: StatusCodes.Status504GatewayTimeout,
            title: "The ChatTTS backend did not answer in time",
            detail: $"Synthesis could not start: {failure.Message}."),
        { StatusCode: HttpStatusCode.ServiceUnavailable or HttpStatusCode.TooManyRequests } => new RetryAfterResult(
            TypedResults.Problem(
                statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "The ChatTTS backend is busy",
                detail: $"Synthesis could not start: {failure.Message}."),
            failure.RetryAfter ?? StreamingDefaults.BackendBusyRetryAfter),
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
