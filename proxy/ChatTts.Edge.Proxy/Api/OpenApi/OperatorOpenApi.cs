using ChatTts.Edge.Api.OpenApi;
using Microsoft.OpenApi;

namespace Microsoft.AspNetCore.Builder;

/// <summary>
/// The description of the operator endpoints: <c>/admin/backends</c> (a route handler), and <c>/healthz</c>, <c>/readyz</c> and
/// <c>/metrics</c>, which are middleware endpoints ASP.NET Core does not describe, so they are added to the document here.
/// </summary>
internal static class OperatorOpenApi
{
    private const string AdminRefusals = "Behind the admin guard: without `Edge:Admin:ApiKey` it answers loopback clients only; with a key, " +
        "any client that sends it in `X-Admin-Key` or `Authorization: Bearer`. Never cross-origin.";

    public static RouteHandlerBuilder DescribeBackendStatus(this RouteHandlerBuilder builder) => builder
        .WithName("getBackends")
        .WithTags(EdgeOpenApi.OperationsTag)
        .WithSummary("Every backend's health, load and recent latency")
        .WithDescription(AdminRefusals)
        .ProducesEdgeResponse(StatusCodes.Status200OK, typeof(BackendStatusEndpoints.FleetStatus), "The cluster `chattts`: its queue and every destination.", "application/json")
        .ProducesEdgeProblem(StatusCodes.Status401Unauthorized, "An admin key is configured, and the request did not send it.")
        .ProducesEdgeProblem(StatusCodes.Status403Forbidden, "No admin key is configured, and the client is not on loopback.")
        .AddOpenApiOperationTransformer((operation, context, _) =>
        {
            operation.Security = SecuritySchemes.Admin(context.Document!, context.ApplicationServices);
            return Task.CompletedTask;
        });

    /// <summary>Adds <c>/healthz</c>, <c>/readyz</c>, <c>/readyz/pod</c> and <c>/metrics</c> to <paramref name="document"/>.</summary>
    public static void AddMiddlewareEndpoints(OpenApiDocument document, IServiceProvider services)
    {
        var report = Schemas.Component(document, "HealthReport", () => Schemas.Object(
            "ASP.NET Core's health status.",
            ("status", Schemas.Enum("The overall status: the worst of the checks'.", ["Healthy", "Degraded", "Unhealthy"]), true),
            ("checks", new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Description = "Each check by name (`backends`, `quota-store`, `certificates`, `backend-certificates`, `shutdown`); none for `/healthz`.",
                AdditionalProperties = Schemas.Object(
                    "One check.",
                    ("status", Schemas.Enum("The check's status.", ["Healthy", "Degraded", "Unhealthy"]), true),
                    ("description", Schemas.String("What the check found.", nullable: true), true)),
            }, true)));

        Add(document, "/healthz", Operation("getHealth", "Liveness: the process runs", "No check runs; no key is needed.",
            (StatusCodes.Status200OK, Json(report, "The process is alive."))));
        Add(document, "/readyz", Operation("getReadiness", "Readiness: the edge can serve streams",
            "At least one backend is available, the quota store answers (or is down under `FailureMode=Open`: `Degraded`, still 200), " +
            "every configured certificate file loads, and the process is not shutting down. No key is needed.",
            (StatusCodes.Status200OK, Json(report, "Ready (`Healthy` or `Degraded`).")),
            (StatusCodes.Status503ServiceUnavailable, Json(report, "Not ready: the report says which check failed (this 503 is the report, not a problem)."))));
        Add(document, "/readyz/pod", Operation("getPodReadiness", "Readiness of this process, whatever the GPUs and Redis do",
            "Every configured certificate file loads and the process is not shutting down. GPUs or Redis being down does not make it " +
            "unready: the edge then answers 503 with `Retry-After` itself, so this is what an orchestrator's readiness probe should ask " +
            "(a probe on `/readyz` would take every replica out while the GPUs are down). No key is needed.",
            (StatusCodes.Status200OK, Json(report, "This process can take requests.")),
            (StatusCodes.Status503ServiceUnavailable, Json(report, "Not ready: the report says which check failed (this 503 is the report, not a problem)."))));

        var metrics = Operation("getMetrics", "Metrics in Prometheus text format",
            "The `ChatTts.Edge` meter, ASP.NET Core, HttpClient and the runtime, from the OpenTelemetry Prometheus exporter. " + AdminRefusals,
            (StatusCodes.Status200OK, new OpenApiResponse
            {
                Description = "The metrics (OpenMetrics when the request's `Accept` asks for `application/openmetrics-text`).",
                Content = new Dictionary<string, OpenApiMediaType>(StringComparer.Ordinal)
                {
                    ["text/plain"] = new() { Schema = Schemas.String("Prometheus text exposition format.") },
                    ["application/openmetrics-text"] = new() { Schema = Schemas.String("OpenMetrics text format.") },
                },
            }),
            (StatusCodes.Status401Unauthorized, EdgeResponses.Problem(document, "An admin key is configured, and the request did not send it.")),
            (StatusCodes.Status403Forbidden, EdgeResponses.Problem(document, "No admin key is configured, and the client is not on loopback.")));
        metrics.Security = SecuritySchemes.Admin(document, services);
        Add(document, "/metrics", metrics);
    }

    private static OpenApiOperation Operation(string id, string summary, string description, params (int Status, OpenApiResponse Response)[] responses)
    {
        var operation = new OpenApiOperation
        {
            OperationId = id,
            Summary = summary,
            Description = description,
            Tags = new HashSet<OpenApiTagReference>(),
            Responses = [],
        };
        foreach (var (status, response) in responses)
        {
            operation.Responses[EdgeResponses.Key(status)] = response;
        }

        return operation;
    }

    private static OpenApiResponse Json(IOpenApiSchema schema, string description) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType>(StringComparer.Ordinal) { ["application/json"] = new() { Schema = schema } },
    };

    private static void Add(OpenApiDocument document, string path, OpenApiOperation operation)
    {
        operation.Tags!.Add(new OpenApiTagReference(EdgeOpenApi.OperationsTag, document));
        document.Paths[path] = new OpenApiPathItem { Operations = new() { [HttpMethod.Get] = operation } };
    }
}
