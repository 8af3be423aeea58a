using System.Net;
using ChatTts.Edge.Callers;
using Microsoft.Extensions.Options;

namespace ChatTts.Edge.Api;

/// <summary>Lets a request reach <c>/admin/*</c> only with the admin key, or, when none is configured, only from loopback.</summary>
internal sealed class AdminGuard(IOptionsMonitor<AdminOptions> options) : IEndpointFilter
{
    public const string KeyHeader = "X-Admin-Key";

    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        Refusal(context.HttpContext) is { } refusal ? ValueTask.FromResult<object?>(refusal) : next(context);

    /// <summary>The same guard as middleware, for endpoints that are not route handlers (the Prometheus exporter's).</summary>
    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        ArgumentNullException.ThrowIfNull(next);
        if (Refusal(context) is { } refusal)
        {
            await refusal.ExecuteAsync(context);
            return;
        }

        await next(context);
    }

    /// <summary>Null when the request may pass; otherwise the answer that turns it away.</summary>
    private Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult? Refusal(HttpContext http)
    {
        var key = options.CurrentValue.ApiKey;
        if (string.IsNullOrEmpty(key))
        {
            return http.Connection.RemoteIpAddress is { } remote && IPAddress.IsLoopback(remote)
                ? null
                : TypedResults.Problem(
                    statusCode: StatusCodes.Status403Forbidden,
                    title: "Admin endpoints answer loopback only",
                    detail: $"Set {AdminOptions.SectionName}:ApiKey to reach them from elsewhere with the {KeyHeader} header.");
        }

        return Matches(PresentedKey(http.Request), key)
            ? null
            : TypedResults.Problem(
                statusCode: StatusCodes.Status401Unauthorized,
                title: "Admin key required",
                detail: $"Send the key configured in {AdminOptions.SectionName}:ApiKey in the {KeyHeader} header.");
    }

    private static string? PresentedKey(HttpRequest request) =>
        request.Headers[KeyHeader] is [{ } header] ? header : Credentials.FromAuthorization(request);

    private static bool Matches(string? presented, string expected) =>
        presented is { Length: > 0 } && Credentials.HashesMatch(Credentials.Hash(presented), Credentials.Hash(expected));
}
