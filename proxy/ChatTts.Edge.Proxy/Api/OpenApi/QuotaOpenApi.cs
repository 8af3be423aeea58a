using ChatTts.Edge.Api.OpenApi;
using ChatTts.Edge.Callers;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using static ChatTts.Edge.Api.OpenApi.ResponseHeaders;

namespace Microsoft.AspNetCore.Builder;

/// <summary>The description of <c>GET /v1/usage</c> and <c>POST /v1/tokens</c>.</summary>
internal static class QuotaOpenApi
{
    public static RouteHandlerBuilder DescribeUsage(this RouteHandlerBuilder builder) => builder
        .WithName("getUsage")
        .WithTags(EdgeOpenApi.QuotasTag)
        .WithSummary("The caller's plan and what is left of it")
        .WithDescription("With an API key, a browser token or a client certificate (or none, for the anonymous plan where it is allowed). " +
            "A limit the plan does not set is `null`.")
        .ProducesEdgeResponse(StatusCodes.Status200OK, typeof(QuotaEndpoints.UsageResponse), "The caller's plan and usage.", "application/json")
        .ProducesEdgeProblem(StatusCodes.Status401Unauthorized, "No API key (unless anonymous callers are allowed), an unknown key, " +
            "a malformed `Authorization` header, or a tampered or expired token.", WwwAuthenticate)
        .ProducesEdgeProblem(StatusCodes.Status503ServiceUnavailable, "The quota store is unreachable and `Edge:Quotas:FailureMode` is `Closed`.", RetryAfter)
        .AddOpenApiOperationTransformer((operation, context, _) =>
        {
            operation.Security = SecuritySchemes.Caller(context.Document!, context.ApplicationServices, query: true, anonymous: true);
            return Task.CompletedTask;
        });

    public static RouteHandlerBuilder DescribeTokens(this RouteHandlerBuilder builder) => builder
        .WithName("issueToken")
        .WithTags(EdgeOpenApi.QuotasTag)
        .WithSummary("A short-lived browser token, for an EventSource URL")
        .WithDescription("A page must not embed the secret key: its server asks for a token with the key and hands it to the browser, " +
            "which puts it in the `EventSource` URL as `api_key`. The token is signed, names the key and its expiry, optionally caps the " +
            "characters of each request, and is charged to the key's plan. The body may be left out (defaults apply).")
        .ProducesEdgeResponse(StatusCodes.Status200OK, typeof(QuotaEndpoints.TokenResponse), "The token.", "application/json")
        .ProducesEdgeValidationProblem($"`ttl_seconds` not 1 to {BrowserTokens.MaxLifetime.TotalSeconds:0}, or `max_characters` below 1 " +
            "(`errors` names them); or a body that is not valid JSON (the framework's problem, without `errors`).")
        .ProducesEdgeProblem(StatusCodes.Status401Unauthorized, "No API key, an unknown one or a malformed `Authorization` header; " +
            "anonymous callers and browser tokens cannot mint tokens.", WwwAuthenticate)
        .ProducesEdgeProblem(StatusCodes.Status415UnsupportedMediaType, "A body that is not `Content-Type: application/json`.")
        .AddOpenApiOperationTransformer((operation, context, _) =>
        {
            // A token stands for a key or a certificate holder: anonymous callers get none.
            operation.Security = SecuritySchemes.Caller(context.Document!, context.ApplicationServices, query: false, anonymous: false);
            return Task.CompletedTask;
        });

    /// <summary>The token request's ranges, which the handler checks itself (<see cref="BrowserTokens"/>).</summary>
    internal sealed class TokenRequestSchema : IOpenApiSchemaTransformer
    {
        public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
        {
            if (context.JsonTypeInfo.Type != typeof(QuotaEndpoints.TokenRequest) || schema.Properties is not { } properties)
            {
                return Task.CompletedTask;
            }

            schema.Description = "What the token allows; every field may be left out.";
            if (properties.TryGetValue("ttl_seconds", out var ttl) && ttl is OpenApiSchema lifetime)
            {
                lifetime.Minimum = "1";
                lifetime.Maximum = BrowserTokens.MaxLifetime.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                lifetime.Default = System.Text.Json.Nodes.JsonValue.Create((int)BrowserTokens.DefaultLifetime.TotalSeconds);
                lifetime.Description = "The token's lifetime in seconds.";
            }

            if (properties.TryGetValue("max_characters", out var max) && max is OpenApiSchema characters)
            {
                characters.Minimum = "1";
                characters.Description = "The most Unicode characters of `text` each request with the token may have (413 beyond); left out, no cap.";
            }

            return Task.CompletedTask;
        }
    }
}
