using ChatTts.Edge.Api.OpenApi;
using Microsoft.AspNetCore.Builder;
using Microsoft.OpenApi;

namespace Microsoft.Extensions.DependencyInjection;

internal static class EdgeOpenApiServiceCollectionExtensions
{
    /// <summary>
    /// Registers the OpenAPI document <c>v1</c>: what ASP.NET Core learns from the endpoints' metadata, completed by the edge's
    /// transformers where it cannot see (fields read by hand, SSE events, problem members, middleware endpoints, security).
    /// </summary>
    public static IServiceCollection AddEdgeOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(EdgeOpenApi.DocumentName, options =>
        {
            options.OpenApiVersion = OpenApiSpecVersion.OpenApi3_1;
            options.AddSchemaTransformer<SchemaTransformers>();
            options.AddSchemaTransformer<QuotaOpenApi.TokenRequestSchema>();
            options.AddOperationTransformer<EdgeResponses.Transformer>();
            options.AddDocumentTransformer<EdgeOpenApi>();
        });
}
