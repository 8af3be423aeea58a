using ChatTts.Edge.Api;
using ChatTts.Edge.Observability;
using ChatTts.Edge.Streaming;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Microsoft.Extensions.DependencyInjection;

internal static class CorsServiceCollectionExtensions
{
    /// <summary>
    /// Cross-origin access for browser apps (<c>Edge:Cors:AllowedOrigins</c>). Responses expose the headers a
    /// client needs to back off and to report problems (<c>Retry-After</c>, <c>RateLimit-*</c>, the request id).
    /// </summary>
    public static IServiceCollection AddEdgeCors(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddEdgeOptions<EdgeCorsOptions>(configuration, EdgeCorsOptions.SectionName)
            .Validate(o => o.AllowedOrigins.All(IsOrigin),
                $"{EdgeCorsOptions.SectionName}:AllowedOrigins entries must be '*' or origins like 'https://app.example.com' (scheme, host, optional port; no path).");

        services.AddCors();
        services.AddOptions<Microsoft.AspNetCore.Cors.Infrastructure.CorsOptions>()
            .Configure<IOptions<EdgeCorsOptions>>((cors, edge) =>
            {
                var origins = edge.Value.AllowedOrigins;
                if (origins.Count == 0)
                {
                    return;
                }

                cors.AddDefaultPolicy(policy =>
                {
                    if (origins.Contains("*"))
                    {
                        policy.AllowAnyOrigin();
                    }
                    else
                    {
                        policy.WithOrigins([.. origins]);
                    }

                    policy.WithMethods(HttpMethods.Get, HttpMethods.Post)
                        .AllowAnyHeader()
                        .WithExposedHeaders(HeaderNames.RetryAfter, "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", RequestIds.Header)
                        .SetPreflightMaxAge(TimeSpan.FromHours(1));
                });
            });
        return services;
    }

    private static bool IsOrigin(string origin) =>
        origin == "*"
        || (Uri.TryCreate(origin, UriKind.Absolute, out var uri)
            && uri.Scheme is "http" or "https"
            && uri.GetLeftPart(UriPartial.Authority).Equals(origin.TrimEnd('/'), StringComparison.OrdinalIgnoreCase));
}
