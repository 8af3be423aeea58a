using ChatTts.Edge.Quotas;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace ChatTts.Edge.Api.OpenApi;

/// <summary>
/// Corrects what ASP.NET Core derives from the edge's types: numbers are written as JSON numbers (the web defaults would also
/// read them from strings), and problems carry the members the edge adds (<c>requestId</c>, <c>traceId</c>, <c>limit</c>) and always a title and status.
/// </summary>
internal sealed class SchemaTransformers : IOpenApiSchemaTransformer
{
    private const JsonSchemaType Numeric = JsonSchemaType.Integer | JsonSchemaType.Number;

    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (schema.Type is { } type && (type & Numeric) != 0 && (type & JsonSchemaType.String) != 0)
        {
            schema.Type = type & ~JsonSchemaType.String;
            schema.Pattern = null;
        }

        var clrType = context.JsonTypeInfo.Type;
        if (context.JsonPropertyInfo is null && (clrType == typeof(ProblemDetails) || clrType == typeof(HttpValidationProblemDetails)))
        {
            Problem(schema, validation: clrType == typeof(HttpValidationProblemDetails));
        }

        return Task.CompletedTask;
    }

    private static void Problem(OpenApiSchema schema, bool validation)
    {
        schema.Description = "An RFC 9457 problem: `detail` says what to fix.";
        schema.Properties ??= new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal);
        schema.Properties["type"] = Schemas.String("A URI reference naming the kind of problem (the status's section of RFC 9110 or 6585).");
        schema.Properties["title"] = Schemas.String("What went wrong, in short.");
        schema.Properties["status"] = Schemas.Integer("The response's status code.", 400, 599);
        schema.Properties["detail"] = Schemas.String("What went wrong, and what to do about it.");
        schema.Properties.Remove("instance"); // the edge sets none
        schema.Properties["requestId"] = Schemas.String("The request's id: the client's `X-Request-Id` when it sent a valid one (1–128 " +
            "letters, digits, `-_.:`), otherwise the edge's own; also in the `X-Request-Id` header. Quote it when reporting a problem.");
        schema.Properties["traceId"] = Schemas.String("The same id as `requestId` (the name ASP.NET Core clients look for).");
        schema.Properties["limit"] = Schemas.Enum("On a 429: which limit of the key's plan refused the request.",
            [.. new[] { QuotaLimit.Rate, QuotaLimit.Characters, QuotaLimit.Concurrency }.Select(QuotaDecision.Name)]);
        schema.Required = new HashSet<string>(StringComparer.Ordinal) { "title", "status" };
        if (validation && schema.Properties.TryGetValue("errors", out var errors) && errors is OpenApiSchema e)
        {
            e.Description = "The mistakes per field, by the field's name (or the unknown name sent); absent when the problem is not about fields.";
        }
    }
}
