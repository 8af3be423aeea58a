using System.Net;
using System.Text;
using System.Text.Json;
using ChatTts.Edge.Tests.Infrastructure;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace ChatTts.Edge.Tests.Api.OpenApi;

/// <summary><c>GET /openapi/v1.json</c>: a valid OpenAPI document of every route, its answers and who may call it.</summary>
public sealed class OpenApiDocumentTests
{
    [Fact]
    public async Task Document_PassesSwaggerParsersValidation_WhichFailsABrokenReference()
    {
        await using var edge = EdgeApp.Start([]);
        using var client = edge.CreateRealClient();
        var document = await EdgeOpenApiDocument.GetAsync(client);

        var (exitCode, output) = await EdgeOpenApiDocument.ValidateAsync(document.Json);

        Assert.True(exitCode == 0, "swagger-parser: " + output);
        var paths = document.Root.GetProperty("paths").EnumerateObject().Count();
        Assert.StartsWith($"valid: OpenAPI {document.Root.GetProperty("openapi").GetString()}, {paths} paths, {document.Operations().Count()} operations", output, StringComparison.Ordinal);
        Assert.StartsWith("3.1.", document.Root.GetProperty("openapi").GetString(), StringComparison.Ordinal);

        // The validator really looks: the same document with one dangling reference is refused.
        var broken = document.Json.Replace("\"#/components/schemas/AudioEventData\"", "\"#/components/schemas/NoSuchSchema\"", StringComparison.Ordinal);
        Assert.NotEqual(document.Json, broken);
        var (brokenExit, brokenOutput) = await EdgeOpenApiDocument.ValidateAsync(broken);
        Assert.True(brokenExit == 1, "swagger-parser accepted a dangling $ref: " + brokenOutput);
        Assert.Contains("NoSuchSchema", brokenOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Document_DescribesEveryRouteTheEdgeMaps()
    {
        await using var edge = EdgeApp.Start([]);
        using var client = edge.CreateRealClient();
        var document = await EdgeOpenApiDocument.GetAsync(client);

        // Endpoints that take any method (health checks, the Prometheus exporter) are documented as GET.
        var mapped = edge.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(e => (Path: "/" + e.RoutePattern.RawText!.TrimStart('/'), Methods: e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"]))
            .Where(e => !e.Path.StartsWith("/openapi/", StringComparison.Ordinal))
            .SelectMany(e => e.Methods.Select(m => $"{m.ToUpperInvariant()} {e.Path}"))
            .Order(StringComparer.Ordinal)
            .ToList();
        var documented = document.Operations().Select(o => $"{o.Method.ToUpperInvariant()} {o.Path}").Order(StringComparer.Ordinal).ToList();

        Assert.Contains("GET /v1/tts/stream", mapped);
        Assert.Contains("GET /metrics", mapped);
        Assert.Equal(mapped, documented);
        Assert.All(document.Operations(), o =>
        {
            Assert.False(string.IsNullOrWhiteSpace(o.Operation.GetProperty("summary").GetString()), $"{o.Method} {o.Path} has no summary");
            Assert.Single(o.Operation.GetProperty("tags").EnumerateArray());
        });
    }

    [Fact]
    public async Task ErrorResponses_AreProblemJson_AndRealProblemsMatchTheirSchema()
    {
        await using var edge = EdgeApp.Start([], QuotaSettings.Alice(requestsPerMinute: 1, burst: 1));
        using var client = edge.CreateRealClient();
        var document = await EdgeOpenApiDocument.GetAsync(client);

        foreach (var (path, method, operation) in document.Operations())
        {
            foreach (var response in operation.GetProperty("responses").EnumerateObject().Where(r => r.Name == "default" || int.Parse(r.Name, System.Globalization.CultureInfo.InvariantCulture) >= 400))
            {
                var content = response.Value.GetProperty("content").EnumerateObject().Select(c => c.Name).ToList();
                if (path is "/readyz" or "/readyz/pod" && response.Name == "503")
                {
                    Assert.Equal(["application/json"], content); // the probe's health report, not a problem
                    continue;
                }

                if (path.StartsWith("/v1/audio/", StringComparison.Ordinal) || path.StartsWith("/v1/models", StringComparison.Ordinal))
                {
                    Assert.True(content.SequenceEqual(["application/json"]), $"{method} {path} {response.Name}: {string.Join(", ", content)}"); // OpenAI's error shape
                    Assert.Equal("OpenAiError", EdgeOpenApiDocument.RefName(response.Value.GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString()!));
                    continue;
                }

                Assert.True(content.SequenceEqual(["application/problem+json"]), $"{method} {path} {response.Name}: {string.Join(", ", content)}");
                var schema = EdgeOpenApiDocument.RefName(response.Value.GetProperty("content").GetProperty("application/problem+json").GetProperty("schema").GetProperty("$ref").GetString()!);
                Assert.True(schema is "ProblemDetails" or "HttpValidationProblemDetails", $"{method} {path} {response.Name}: {schema}");
            }
        }

        var key = "api_key=" + QuotaSettings.AliceKey;
        var problems = new (string Status, string Path, string Method, HttpRequestMessage Request)[]
        {
            ("400", "/v1/tts/stream", "get", new(HttpMethod.Get, $"/v1/tts/stream?speed=10&{key}")),
            ("401", "/v1/tts/stream", "get", new(HttpMethod.Get, "/v1/tts/stream?text=hello")),
            ("413", "/v1/tts/stream", "get", new(HttpMethod.Get, $"/v1/tts/stream?text={new string('a', 2001)}&{key}")),
            ("415", "/v1/tts/stream", "post", new(HttpMethod.Post, $"/v1/tts/stream?{key}") { Content = new StringContent("text=hello", Encoding.UTF8, "text/plain") }),
            ("503", "/v1/tts/stream", "get", new(HttpMethod.Get, $"/v1/tts/stream?text=hello&{key}")), // no backend; uses the burst of 1
            ("429", "/v1/tts/stream", "get", new(HttpMethod.Get, $"/v1/tts/stream?text=hello&{key}")),
            ("414", "/v1/usage", "get", new(HttpMethod.Get, $"/v1/usage?{key}&pad={new string('a', 40_000)}")),
            ("431", "/v1/usage", "get", new(HttpMethod.Get, $"/v1/usage?{key}") { Headers = { { "X-Padding", new string('a', 33 * 1024) } } }),
            ("default", "/v1/usage", "get", new(HttpMethod.Put, "/v1/usage")), // 405, the framework's own
            ("default", "/v1/usage", "get", new(HttpMethod.Get, "/no-such-route")), // 404, the framework's own
        };
        foreach (var (status, path, method, request) in problems)
        {
            using (request)
            using (var response = await client.SendAsync(request))
            {
                var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
                Assert.True(status == "default" || ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture) == status, $"{request.Method} {request.RequestUri}: {(int)response.StatusCode} {body}");
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                var documented = document.Operation(path, method).GetProperty("responses").GetProperty(status);
                document.AssertInstance(document.ContentSchema(documented, "application/problem+json"), body, $"{(int)response.StatusCode} problem");
                Assert.True(body.TryGetProperty("requestId", out var id) && id.GetString() == response.Headers.GetValues("X-Request-Id").Single(),
                    $"{(int)response.StatusCode} problem without the request's id: {body}");
            }
        }
    }

    [Fact]
    public async Task OpenAiErrors_MatchTheirDocumentedSchema()
    {
        await using var edge = EdgeApp.Start([], QuotaSettings.Alice(requestsPerMinute: 1, burst: 1));
        using var client = edge.CreateRealClient();
        var document = await EdgeOpenApiDocument.GetAsync(client);
        var speech = new StringContent("""{"model":"tts-1","input":"Hello","voice":"alloy"}""", Encoding.UTF8, "application/json");

        var problems = new (string Status, string Path, string Method, HttpRequestMessage Request)[]
        {
            ("400", "/v1/audio/speech", "post", new(HttpMethod.Post, "/v1/audio/speech") { Content = new StringContent("""{"model":"x"}""", Encoding.UTF8, "application/json"), Headers = { { "X-Api-Key", QuotaSettings.AliceKey } } }),
            ("401", "/v1/audio/speech", "post", new(HttpMethod.Post, "/v1/audio/speech") { Content = speech }),
            ("503", "/v1/audio/speech", "post", new(HttpMethod.Post, "/v1/audio/speech") { Content = new StringContent("""{"model":"tts-1","input":"Hello","voice":"alloy"}""", Encoding.UTF8, "application/json"), Headers = { { "X-Api-Key", QuotaSettings.AliceKey } } }),
            ("429", "/v1/audio/speech", "post", new(HttpMethod.Post, "/v1/audio/speech") { Content = new StringContent("""{"model":"tts-1","input":"Hello","voice":"alloy"}""", Encoding.UTF8, "application/json"), Headers = { { "X-Api-Key", QuotaSettings.AliceKey } } }),
            ("404", "/v1/models/{model}", "get", new(HttpMethod.Get, "/v1/models/nope") { Headers = { { "X-Api-Key", QuotaSettings.AliceKey } } }),
        };
        foreach (var (status, path, method, request) in problems)
        {
            using (request)
            using (var response = await client.SendAsync(request))
            {
                var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
                Assert.True(((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture) == status, $"{request.Method} {request.RequestUri}: {(int)response.StatusCode} {body}");
                Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
                var documented = document.Operation(path, method).GetProperty("responses").GetProperty(status);
                document.AssertInstance(document.ContentSchema(documented, "application/json"), body, $"{(int)response.StatusCode} OpenAI error");
            }
        }
    }

    [Fact]
    public async Task SecuritySchemes_AreTheEdgesCredentials_AndTheDocumentNeedsNone()
    {
        using var pki = new ThrowawayPki();
        await using var edge = EdgeApp.Start([], new Dictionary<string, string?>(QuotaSettings.Alice())
        {
            ["Edge:ClientCertificates:TrustedCaPath"] = pki.CaPath,
            ["Edge:ClientCertificates:Plan"] = "test",
        });
        using var client = edge.CreateRealClient();

        var document = await EdgeOpenApiDocument.GetAsync(client); // no key, yet 200
        using var usage = await client.GetAsync("/v1/usage");
        Assert.Equal(HttpStatusCode.Unauthorized, usage.StatusCode); // while the API itself wants one

        var schemes = document.Root.GetProperty("components").GetProperty("securitySchemes");
        Assert.Equal("bearer", schemes.GetProperty("apiKeyBearer").GetProperty("scheme").GetString());
        AssertApiKey(schemes.GetProperty("apiKeyHeader"), "header", "X-Api-Key");
        AssertApiKey(schemes.GetProperty("apiKeyQuery"), "query", "api_key");
        Assert.Equal("mutualTLS", schemes.GetProperty("clientCertificate").GetProperty("type").GetString());
        AssertApiKey(schemes.GetProperty("adminKeyHeader"), "header", "X-Admin-Key");

        // Anonymous callers are not allowed here, so every credential-taking operation requires one; EventSource's query key only on GETs.
        Assert.Equal(["apiKeyBearer", "apiKeyHeader", "apiKeyQuery", "clientCertificate"], Schemes(document.Operation("/v1/tts/stream", "get")));
        Assert.Equal(["apiKeyBearer", "apiKeyHeader", "clientCertificate"], Schemes(document.Operation("/v1/tts/stream", "post")));
        Assert.Equal(["apiKeyBearer", "apiKeyHeader", "clientCertificate"], Schemes(document.Operation("/v1/tokens", "post")));
        Assert.Equal([""], Schemes(document.Operation("/admin/backends", "get"))); // no admin key configured: loopback only, no credential
        Assert.False(document.Operation("/healthz", "get").TryGetProperty("security", out _));
    }

    [Fact]
    public async Task Security_WithAnonymousCallersAndAnAdminKey_SaysSo()
    {
        await using var edge = EdgeApp.Start([], new Dictionary<string, string?> { ["Edge:Admin:ApiKey"] = "an-admin-key" });
        using var client = edge.CreateRealClient();
        var document = await EdgeOpenApiDocument.GetAsync(client);

        Assert.Equal(["apiKeyBearer", "apiKeyHeader", "apiKeyQuery", ""], Schemes(document.Operation("/v1/tts/stream", "get")));
        Assert.Equal(["apiKeyBearer", "apiKeyHeader"], Schemes(document.Operation("/v1/tokens", "post"))); // anonymous callers cannot mint tokens
        Assert.Equal(["adminKeyHeader", "adminKeyBearer"], Schemes(document.Operation("/admin/backends", "get")));
        Assert.Equal(["adminKeyHeader", "adminKeyBearer"], Schemes(document.Operation("/metrics", "get")));
    }

    private static void AssertApiKey(JsonElement scheme, string location, string name)
    {
        Assert.Equal("apiKey", scheme.GetProperty("type").GetString());
        Assert.Equal(location, scheme.GetProperty("in").GetString());
        Assert.Equal(name, scheme.GetProperty("name").GetString());
    }

    /// <summary>Each alternative of the operation's security, by scheme name ("" for "no credential").</summary>
    private static List<string> Schemes(JsonElement operation) =>
        [.. operation.GetProperty("security").EnumerateArray().Select(r => string.Join("+", r.EnumerateObject().Select(p => p.Name)))];
}
