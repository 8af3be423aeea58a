using ChatTts.Edge.Callers;

namespace ChatTts.Edge.Api;

/// <summary>Identifies the caller of an endpoint (401 problem+json when it cannot) and hands it on in <see cref="CallerContext"/>.</summary>
internal sealed class CallerFilter(bool allowTokens) : IEndpointFilter
{
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var result = http.RequestServices.GetRequiredService<CallerIdentifier>().Identify(http, allowTokens);
        if (result.Caller is not { } caller)
        {
            return ValueTask.FromResult<object?>(Unauthorized(result.Problem!));
        }

        CallerContext.Set(http, caller);
        return next(context);
    }

    /// <summary>401 with <c>WWW-Authenticate: Bearer</c>.</summary>
    public static IResult Unauthorized(string detail) => new WwwAuthenticate(TypedResults.Problem(
        statusCode: StatusCodes.Status401Unauthorized,
        title: "Unknown or missing API key",
        detail: detail));

    private sealed class WwwAuthenticate(IResult inner) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.WWWAuthenticate = "Bearer";
            return inner.ExecuteAsync(httpContext);
        }
    }
}
