using System.Globalization;
using ChatTts.Edge.Api;
using ChatTts.Edge.Streaming;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Microsoft.AspNetCore.Builder;

internal static class ProblemResponsesApplicationBuilderExtensions
{
    /// <summary>
    /// Every error status the edge produces is <c>application/problem+json</c>: a request line or headers over the edge's
    /// limits get 414 or 431 here (see <see cref="HttpLimits"/>), and any error status written without a body (routing's
    /// 404 and 405, a body the framework could not bind) gets a problem body.
    /// </summary>
    public static IApplicationBuilder UseEdgeProblemResponses(this IApplicationBuilder app)
    {
        app.UseStatusCodePages();
        app.Use((context, next) =>
        {
            var streaming = context.RequestServices.GetRequiredService<IOptionsMonitor<StreamingOptions>>().CurrentValue;
            var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? "";
            var line = context.Request.Method.Length + target.Length + 11; // "GET " + target + " HTTP/1.1\r\n"
            var lineLimit = HttpLimits.MaxRequestLineBytes(streaming.MaxTextCharacters);
            if (line > lineLimit)
            {
                return Refuse(context, StatusCodes.Status414UriTooLong, "The request line is too long",
                    $"The request line has {line} bytes; at most {lineLimit} are accepted. Send long texts with POST in a JSON body.");
            }

            var headers = 0;
            foreach (var (name, values) in context.Request.Headers)
            {
                foreach (var value in values)
                {
                    headers += name.Length + (value?.Length ?? 0);
                }
            }

            return headers > HttpLimits.MaxRequestHeadersTotalBytes
                ? Refuse(context, StatusCodes.Status431RequestHeaderFieldsTooLarge, "The request headers are too large",
                    $"The headers have {headers.ToString(CultureInfo.InvariantCulture)} bytes; at most {HttpLimits.MaxRequestHeadersTotalBytes} are accepted.")
                : next(context);
        });
        return app;
    }

    private static Task Refuse(HttpContext context, int status, string title, string detail) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail).ExecuteAsync(context);
}
