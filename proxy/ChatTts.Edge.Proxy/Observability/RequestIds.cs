using System.Buffers;
using Microsoft.AspNetCore.Http.Features;

namespace ChatTts.Edge.Observability;

/// <summary>
/// One id per request: the client's <c>X-Request-Id</c> when it is a valid one (1–128 characters of letters, digits,
/// <c>- _ . :</c>), otherwise the server's own. It becomes the request's <c>TraceIdentifier</c>, so the same id is the
/// <c>meta.request_id</c>, the problem's <c>traceId</c>/<c>requestId</c>, the log scope's <c>RequestId</c>, the span
/// attribute, and the <c>X-Request-Id</c> of every answer.
/// </summary>
internal static class RequestIds
{
    public const string Header = "X-Request-Id";

    public const int MaxLength = 128;

    private static readonly SearchValues<char> Allowed =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.:");

    public static bool IsValid(ReadOnlySpan<char> id) => id.Length is > 0 and <= MaxLength && !id.ContainsAnyExcept(Allowed);

    /// <summary>Adopts the client's id (when valid) and answers with the request's id.</summary>
    public static void Apply(HttpContext context)
    {
        if (context.Request.Headers[Header] is [{ } id] && IsValid(id))
        {
            context.TraceIdentifier = id;
        }

        context.Response.Headers[Header] = context.TraceIdentifier;
    }
}

/// <summary>
/// Applies <see cref="RequestIds"/> as the request's context is made: before ASP.NET Core opens the request's log scope,
/// which reads the id once, so no log line carries a second id. (The framework's own factory keeps doing the work.)
/// </summary>
internal sealed class RequestIdHttpContextFactory(DefaultHttpContextFactory inner) : IHttpContextFactory
{
    public HttpContext Create(IFeatureCollection featureCollection)
    {
        var context = inner.Create(featureCollection);
        RequestIds.Apply(context);
        return context;
    }

    public void Dispose(HttpContext httpContext) => inner.Dispose(httpContext);
}
