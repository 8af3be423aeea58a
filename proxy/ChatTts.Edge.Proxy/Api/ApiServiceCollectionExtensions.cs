using ChatTts.Edge.Api;
using ChatTts.Edge.Streaming;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

internal static class ApiServiceCollectionExtensions
{
    /// <summary>
    /// Registers the HTTP API: request reading and validation, the stream handler, problem details, the guard of the
    /// operator endpoints (section <c>Edge:Admin</c>), and the health checks' endpoint plumbing (each feature adds its
    /// own readiness check).
    /// </summary>
    public static IServiceCollection AddEdgeApi(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddEdgeOptions<AdminOptions>(configuration, AdminOptions.SectionName);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<SpeechRequestValidator>();
        services.TryAddSingleton<SpeechRequestReader>();
        services.TryAddSingleton<SpeechStreamHandler>();
        services.TryAddSingleton<AdminGuard>();
        services.AddProblemDetails(problems => problems.CustomizeProblemDetails = problem =>
        {
            // The request's one id (see RequestIds), not the trace's: the id the client sent or got in X-Request-Id.
            var id = problem.HttpContext.TraceIdentifier;
            problem.ProblemDetails.Extensions.Remove("trace_id"); // the framework's own, named by the snake_case options
            problem.ProblemDetails.Extensions["traceId"] = id;
            problem.ProblemDetails.Extensions["requestId"] = id;
        });
        services.ConfigureHttpJsonOptions(json =>
        {
            // The edge's own JSON is snake_case, request bodies included (problem details name their fields themselves).
            json.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower;
            json.SerializerOptions.TypeInfoResolverChain.Insert(0, EdgeJsonContext.Default);
        });
        services.AddHealthChecks();

        // Kestrel's limits are a backstop above the edge's own, which answer with problem+json (HttpLimits).
        services.AddOptions<KestrelServerOptions>().Configure<IOptionsMonitor<StreamingOptions>>((kestrel, streaming) =>
        {
            kestrel.Limits.MaxRequestLineSize = HttpLimits.KestrelFactor * HttpLimits.MaxRequestLineBytes(streaming.CurrentValue.MaxTextCharacters);
            kestrel.Limits.MaxRequestHeadersTotalSize = HttpLimits.KestrelFactor * HttpLimits.MaxRequestHeadersTotalBytes;
        });
        return services;
    }
}
