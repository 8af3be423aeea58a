using System.Net;
using ChatTts.Edge.Admission;
using ChatTts.Edge.Backends;

namespace ChatTts.Edge.Api;

/// <summary>What a failure means for the client, whether the stream is open yet or not.</summary>
/// <param name="Code">The <c>error</c> event's code.</param>
/// <param name="Message">The <c>error</c> event's message.</param>
/// <param name="Retryable">Whether the same request may succeed if sent again.</param>
/// <param name="Status">The status of the answer before the stream opens.</param>
/// <param name="Title">The problem's title.</param>
/// <param name="Detail">The problem's detail.</param>
/// <param name="RetryAfter">When to come back, for a 503.</param>
internal sealed record StreamFailure(string Code, string Message, bool Retryable, int Status, string Title, string Detail, TimeSpan? RetryAfter = null)
{
    /// <summary>The answer before the stream opens: problem+json, with <c>Retry-After</c> when there is one.</summary>
    public IResult Problem()
    {
        var problem = TypedResults.Problem(statusCode: Status, title: Title, detail: Detail);
        return RetryAfter is { } wait ? RetryAfterHeader.With(problem, wait) : problem;
    }
}

/// <summary>The one table that turns every failure of a stream into both its problem+json answer and its <c>error</c> event.</summary>
internal static class StreamFailures
{
    /// <summary>Retry-After when a backend said it is busy without saying for how long.</summary>
    private static readonly TimeSpan BackendBusyRetryAfter = TimeSpan.FromSeconds(1);

    public static StreamFailure Describe(Exception exception) => exception switch
    {
        BackendException failure => Backend(failure),
        AdmissionRefusedException refused => Refused(refused.Refusal, refused.RetryAfter),
        _ => new StreamFailure("internal_error", "the edge failed while streaming; retry the request", Retryable: true,
            StatusCodes.Status500InternalServerError, "The edge failed", "Something unexpected went wrong before any audio was sent; retry the request."),
    };

    /// <summary>A resumed stream whose events stopped coming (the replica synthesizing it is gone, or its journal broke).</summary>
    public static StreamFailure ResumeLost { get; } = new("resume_lost",
        "the stream's events stopped coming (the replica synthesizing it is gone); send the request again to start it over", Retryable: true,
        StatusCodes.Status503ServiceUnavailable, "The stream cannot be resumed", "The stream's events stopped coming; send the request again without Last-Event-ID.");

    /// <summary>The proxy stopped the stream (the drain timeout passed): another instance takes the request.</summary>
    public static StreamFailure ShuttingDown => Refused(AdmissionRefusal.ShuttingDown, AdmissionDefaults.MinRetryAfter);

    private static StreamFailure Refused(AdmissionRefusal refusal, TimeSpan retryAfter)
    {
        var (code, title, detail) = refusal switch
        {
            AdmissionRefusal.QueueFull => ("queue_full", "Every ChatTTS backend is busy and the queue is full",
                "Every backend is busy and too many requests are waiting already. Retry after the time in Retry-After."),
            AdmissionRefusal.Timeout => ("queue_timeout", "No ChatTTS backend became free in time",
                "The request waited for a free backend for the longest time allowed. Retry shortly."),
            AdmissionRefusal.ShuttingDown => ("shutting_down", "The edge is shutting down",
                "This proxy instance is stopping; retry the request, and it goes to another instance."),
            AdmissionRefusal.StoreUnavailable => ("slots_unavailable", "The fleet's GPU slots cannot be counted",
                "The store that shares GPU slots between the edge's replicas is unreachable, so no GPU can be given out safely. Retry shortly."),
            _ => ("no_backend", "No ChatTTS backend is available", "Every backend is down, draining or not configured. Retry shortly."),
        };
        return new StreamFailure(code, detail, Retryable: true, StatusCodes.Status503ServiceUnavailable, title, detail, retryAfter);
    }

    private static StreamFailure Backend(BackendException failure)
    {
        var detail = $"Synthesis could not start: {failure.Message}.";
        var busy = failure.StatusCode is HttpStatusCode.ServiceUnavailable or HttpStatusCode.TooManyRequests;
        return failure.Kind switch
        {
            BackendFailureKind.Rejected => new StreamFailure("invalid_request", failure.Message, Retryable: false, StatusCodes.Status400BadRequest,
                "The ChatTTS backend refused the request", detail + " Change the request; sending it again as it is will fail again."),
            BackendFailureKind.Timeout => new StreamFailure("backend_timeout", failure.Message, failure.IsTransient, StatusCodes.Status504GatewayTimeout,
                "The ChatTTS backend did not answer in time", detail),
            _ when busy => new StreamFailure("backend_busy", failure.Message, failure.IsTransient, StatusCodes.Status503ServiceUnavailable,
                "The ChatTTS backend is busy", detail, failure.RetryAfter ?? BackendBusyRetryAfter),
            _ => new StreamFailure(Code(failure.Kind), failure.Message, failure.IsTransient, StatusCodes.Status502BadGateway,
                "The ChatTTS backend failed", detail),
        };
    }

    private static string Code(BackendFailureKind kind) => kind switch
    {
        BackendFailureKind.Status => "backend_error",
        BackendFailureKind.Connection => "backend_unreachable",
        BackendFailureKind.Interrupted => "backend_interrupted",
        _ => "backend_protocol",
    };
}
