using System.Globalization;
using ChatTts.Edge.Api.OpenApi;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Microsoft.AspNetCore.Builder;

/// <summary>
/// Documents a route's answers as endpoint metadata (<see cref="ProducesEdgeResponse"/>, <see cref="ProducesEdgeProblem"/>): status,
/// type, content type, what it means and the headers it carries. The <see cref="Transformer"/> puts the descriptions and headers in
/// the document, which ASP.NET Core's own description leaves out.
/// </summary>
internal static class EdgeResponses
{
    public const string ProblemContentType = "application/problem+json";

    /// <summary>The route answers <paramref name="statusCode"/> as problem+json when <paramref name="description"/>, with <paramref name="headers"/>.</summary>
    public static RouteHandlerBuilder ProducesEdgeProblem(this RouteHandlerBuilder builder, int statusCode, string description, params string[] headers) =>
        builder.ProducesEdgeResponse(statusCode, typeof(ProblemDetails), description, ProblemContentType, headers);

    /// <summary>A 400 whose problem may list the mistakes per field (<c>errors</c>).</summary>
    public static RouteHandlerBuilder ProducesEdgeValidationProblem(this RouteHandlerBuilder builder, string description, params string[] headers) =>
        builder.ProducesEdgeResponse(StatusCodes.Status400BadRequest, typeof(HttpValidationProblemDetails), description, ProblemContentType, headers);

    /// <summary>The route answers <paramref name="statusCode"/> with <paramref name="type"/> as <paramref name="contentType"/>, with <paramref name="headers"/>.</summary>
    public static RouteHandlerBuilder ProducesEdgeResponse(this RouteHandlerBuilder builder, int statusCode, Type? type, string description, string contentType, params string[] headers) =>
        builder.WithMetadata(
            new ProducesResponseTypeMetadata(statusCode, type ?? typeof(void), [contentType]) { Description = description },
            new ResponseHeadersMetadata(statusCode, headers));

    /// <summary>A problem+json response, for answers added to the document directly.</summary>
    public static OpenApiResponse Problem(OpenApiDocument document, string description) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType>(StringComparer.Ordinal)
        {
            [ProblemContentType] = new() { Schema = new OpenApiSchemaReference(nameof(ProblemDetails), document) },
        },
    };

    /// <summary>The status code as the document's responses name it.</summary>
    public static string Key(int statusCode) => statusCode.ToString(CultureInfo.InvariantCulture);

    /// <summary>Headers the edge writes on a response with status <paramref name="StatusCode"/>.</summary>
    internal sealed record ResponseHeadersMetadata(int StatusCode, IReadOnlyList<string> Headers);

    /// <summary>Gives each documented response its description and headers from the endpoint's metadata.</summary>
    internal sealed class Transformer : IOpenApiOperationTransformer
    {
        public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
        {
            var metadata = context.Description.ActionDescriptor.EndpointMetadata;
            foreach (var produces in metadata.OfType<IProducesResponseTypeMetadata>())
            {
                if (produces.Description is { } description && Find(operation, produces.StatusCode) is { } response)
                {
                    response.Description = description;
                }
            }

            foreach (var headers in metadata.OfType<ResponseHeadersMetadata>())
            {
                if (Find(operation, headers.StatusCode) is { } response)
                {
                    ResponseHeaders.Add(response, headers.Headers);
                }
            }

            return Task.CompletedTask;
        }

        private static OpenApiResponse? Find(OpenApiOperation operation, int statusCode) =>
            operation.Responses?.TryGetValue(Key(statusCode), out var response) is true ? response as OpenApiResponse : null;
    }
}
