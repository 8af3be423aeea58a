using System.Net;
using ChatTts.Edge.Callers;
using Microsoft.Extensions.Options;

namespace ChatTts.Edge.Api;

/// <summary>Lets a request reach <c>/admin/*</c> only with the admin key, or, when none is configured, only from loopback.</summary>
internal sealed class AdminGuard(IOptionsMonitor<AdminOptions> options) : IEndpointFilter
{
    public const string KeyHeader = "X-Admin-Key";

    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var key = options.CurrentValue.ApiKey;
        if (string.IsNullOrEmpty(key))
        {
            return http.Connection.RemoteIpAddress is { } remote && IPAddress.IsLoopback(remote)
                ? next(context)
                : ValueTask.FromResult<object?>(TypedResults.Problem(
                    statusCode: StatusCodes.Status403Forbidden,
                    title: "Admin endpoints answer loopback only",
                    detail: $"Set {AdminOptions.SectionName}:ApiKey to reach them from elsewhere with the {KeyHeader} header."));
        }

        return Matches(PresentedKey(http.Request), key)
            ? next(context)
            : ValueTask.FromResult<object?>(TypedResults.Problem(
                statusCode: StatusCodes.Status401Unauthorized,
                title: "Admin key required",
                detail: $"Send the key configured in {AdminOptions.SectionName}:ApiKey in the {KeyHeader} header."));
    }

    private static string? PresentedKey(HttpRequest request) =>
        request.Headers[KeyHeader] is [{ } header] ? header : Credentials.FromAuthorization(request);

    private static bool Matches(string? presented, string expected) =>
        presented is { Length: > 0 } && Credentials.HashesMatch(Credentials.Hash(presented), Credentials.Hash(expected));
}
