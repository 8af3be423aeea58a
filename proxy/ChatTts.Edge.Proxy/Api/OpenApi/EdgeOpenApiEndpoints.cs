using ChatTts.Edge.Api.OpenApi;
using Scalar.AspNetCore;

namespace Microsoft.AspNetCore.Builder;

internal static class EdgeOpenApiEndpoints
{
    /// <summary>The environment of <c>scripts/demo.sh</c>.</summary>
    public const string DemoEnvironment = "Demo";

    /// <summary>
    /// <c>GET /openapi/v1.json</c> in every environment: anonymous, neither guarded nor charged (it holds no secrets). In the
    /// Development and Demo environments also <c>/scalar/v1</c>, an interactive reference served with its script from the
    /// Scalar package: no CDN, no web fonts, none of Scalar's online services (AI chat, MCP, telemetry), so it works offline.
    /// </summary>
    public static IEndpointRouteBuilder MapEdgeOpenApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapOpenApi();
        var environment = endpoints.ServiceProvider.GetRequiredService<IHostEnvironment>();
        if (environment.IsDevelopment() || environment.IsEnvironment(DemoEnvironment))
        {
            endpoints.MapScalarApiReference(options => options
                .WithTitle("ChatTts.Edge API")
                .DisableDefaultFonts()
                .AddDocument(EdgeOpenApi.DocumentName)
                .DisableAgent()
                .DisableMcp()
                .DisableTelemetry()
                .HideDeveloperTools());
        }

        return endpoints;
    }
}
