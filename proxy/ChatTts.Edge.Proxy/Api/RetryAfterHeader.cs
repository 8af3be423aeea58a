using System.Globalization;

namespace ChatTts.Edge.Api;

/// <summary>The one way the edge writes <c>Retry-After</c>: whole seconds, rounded up, at least 1.</summary>
internal static class RetryAfterHeader
{
    public static void Write(HttpResponse response, TimeSpan wait)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.Headers.RetryAfter = Seconds(wait).ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>Whole seconds, rounded up, at least 1.</summary>
    public static long Seconds(TimeSpan wait) => Math.Max(1, (long)Math.Ceiling(wait.TotalSeconds));

    /// <summary>A result that writes <c>Retry-After</c> before <paramref name="inner"/>.</summary>
    public static IResult With(IResult inner, TimeSpan wait) => new Result(inner, wait);

    private sealed class Result(IResult inner, TimeSpan wait) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            Write(httpContext.Response, wait);
            return inner.ExecuteAsync(httpContext);
        }
    }
}
