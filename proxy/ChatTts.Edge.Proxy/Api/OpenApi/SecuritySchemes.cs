using ChatTts.Edge.Callers;
using ChatTts.Edge.Security;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace ChatTts.Edge.Api.OpenApi;

/// <summary>
/// How callers prove who they are (<see cref="CallerIdentifier"/>, <see cref="AdminGuard"/>), as security schemes, and which
/// an operation takes under this deployment's configuration (anonymous callers, client certificates, the admin key).
/// </summary>
internal static class SecuritySchemes
{
    public const string ApiKeyBearer = "apiKeyBearer";
    public const string ApiKeyHeader = "apiKeyHeader";
    public const string ApiKeyQuery = "apiKeyQuery";
    public const string ClientCertificate = "clientCertificate";
    public const string AdminKeyHeader = "adminKeyHeader";
    public const string AdminKeyBearer = "adminKeyBearer";

    /// <summary>
    /// The ways a caller of the API can identify itself: <paramref name="query"/> for GETs, which may carry <c>api_key</c>;
    /// <paramref name="anonymous"/> and <paramref name="certificate"/> where those callers are served (and the configuration lets them in).
    /// </summary>
    public static List<OpenApiSecurityRequirement> Caller(OpenApiDocument document, IServiceProvider services, bool query, bool anonymous, bool certificate = true)
    {
        Register(document);
        var requirements = new List<OpenApiSecurityRequirement> { Requirement(document, ApiKeyBearer), Requirement(document, ApiKeyHeader) };
        if (query)
        {
            requirements.Add(Requirement(document, ApiKeyQuery));
        }

        if (certificate && !string.IsNullOrEmpty(services.GetRequiredService<IOptionsMonitor<ClientCertificateOptions>>().CurrentValue.TrustedCaPath))
        {
            requirements.Add(Requirement(document, ClientCertificate));
        }

        if (anonymous && services.GetRequiredService<IOptionsMonitor<CallerOptions>>().CurrentValue.AllowAnonymous)
        {
            requirements.Add(new OpenApiSecurityRequirement()); // no credential: the anonymous plan, per client address
        }

        return requirements;
    }

    /// <summary>The operator endpoints: the admin key when one is configured, otherwise loopback clients only (no credential).</summary>
    public static List<OpenApiSecurityRequirement> Admin(OpenApiDocument document, IServiceProvider services)
    {
        Register(document);
        return string.IsNullOrEmpty(services.GetRequiredService<IOptionsMonitor<AdminOptions>>().CurrentValue.ApiKey)
            ? [new OpenApiSecurityRequirement()]
            : [Requirement(document, AdminKeyHeader), Requirement(document, AdminKeyBearer)];
    }

    /// <summary>Adds the schemes to the document's components (once).</summary>
    public static void Register(OpenApiDocument document)
    {
        document.Components ??= new OpenApiComponents();
        var schemes = document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>(StringComparer.Ordinal);
        if (schemes.ContainsKey(ApiKeyBearer))
        {
            return;
        }

        const string Key = "An API key (configured by its SHA-256 in `Edge:Quotas:Keys`) or a browser token from `POST /v1/tokens`";
        schemes[ApiKeyBearer] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = $"{Key}, as `Authorization: Bearer <key>`.",
        };
        schemes[ApiKeyHeader] = ApiKey(ParameterLocation.Header, CallerIdentifier.ApiKeyHeader, $"{Key}, in the `{CallerIdentifier.ApiKeyHeader}` header.");
        schemes[ApiKeyQuery] = ApiKey(ParameterLocation.Query, CallerIdentifier.ApiKeyQuery,
            $"{Key}, in the query (for `EventSource`, which cannot send headers; a page should use a browser token, never the key).");
        schemes[ClientCertificate] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.MutualTLS,
            Description = "A TLS client certificate from a CA of `Edge:ClientCertificates:TrustedCaPath`, on an HTTPS endpoint that asks for one " +
                "(Kestrel's `ClientCertificateMode`). The caller is `cert:<subject CN>` on the plan `Edge:ClientCertificates:Plan`; no API key is needed.",
        };
        schemes[AdminKeyHeader] = ApiKey(ParameterLocation.Header, AdminGuard.KeyHeader, "The key configured in `Edge:Admin:ApiKey`.");
        schemes[AdminKeyBearer] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "The key configured in `Edge:Admin:ApiKey`, as `Authorization: Bearer <key>` (what Prometheus's `authorization` setting sends).",
        };
    }

    private static OpenApiSecurityScheme ApiKey(ParameterLocation location, string name, string description) =>
        new() { Type = SecuritySchemeType.ApiKey, In = location, Name = name, Description = description };

    private static OpenApiSecurityRequirement Requirement(OpenApiDocument document, string scheme) =>
        new() { [new OpenApiSecuritySchemeReference(scheme, document)] = [] };
}
