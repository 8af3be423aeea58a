namespace ChatTts.Edge.Quotas;

/// <summary>Identifies the caller of an endpoint (401 problem+json when it cannot) and hands it on in <see cref="CallerContext"/>.</summary>
internal sealed class CallerFilter(bool allowTokens) : IEndpointFilter
{
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var result = http.RequestServices.GetRequiredService<CallerIdentifier>().Identify(http, allowTokens);
        if (result.Caller is not { } caller)
        {
            return ValueTask.FromResult<object?>(QuotaProblems.Unauthorized(result.Problem!));
        }

        CallerContext.Set(http, caller);
        return next(context);
    }
}
