using ChatTts.Edge.Callers;
using Microsoft.Extensions.Options;

namespace Microsoft.AspNetCore.Builder;

internal static class ForwardedHeadersApplicationBuilderExtensions
{
    /// <summary>
    /// First in the pipeline: behind a trusted proxy (<c>Edge:ForwardedHeaders</c>), the client's address and scheme
    /// come from its <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c>; with none configured, the headers are ignored.
    /// Read at start-up.
    /// </summary>
    public static IApplicationBuilder UseEdgeForwardedHeaders(this IApplicationBuilder app) =>
        app.ApplicationServices.GetRequiredService<IOptions<ForwarderOptions>>().Value.Enabled ? app.UseForwardedHeaders() : app;
}
