using System.Security.Cryptography;
using ChatTts.Edge.Security;
using System.Text;
using Microsoft.Extensions.Options;

namespace ChatTts.Edge.Quotas;

/// <summary>
/// Finds the caller of a request: a verified client certificate (<c>cert:&lt;CN&gt;</c>), an API key in <c>Authorization: Bearer</c>, <c>X-Api-Key</c> or the <c>api_key</c>
/// query parameter (for <c>EventSource</c>), or a browser token in any of those places. Keys are compared by their
/// SHA-256, in constant time, against every configured key.
/// </summary>
internal sealed class CallerIdentifier(IOptionsMonitor<QuotaOptions> options, IOptionsMonitor<ClientCertificateOptions> certificates, BrowserTokens tokens)
{
    public const string ApiKeyHeader = "X-Api-Key";
    public const string ApiKeyQuery = "api_key";

    /// <summary>The caller, or the reason (safe to show) it is not let in.</summary>
    public CallerResult Identify(HttpContext context, bool allowTokens = true)
    {
        var quotas = options.CurrentValue;

        // A client certificate that got through the TLS handshake was verified there (ClientCertificateValidator).
        if (context.Connection.ClientCertificate is { } certificate
            && quotas.Plans.TryGetValue(certificates.CurrentValue.Plan, out var certificatePlan))
        {
            return CallerResult.Identified(new Caller(ClientCertificateValidator.Identity(certificate), certificates.CurrentValue.Plan, certificatePlan));
        }

        var credential = Credential(context.Request, out var malformed);
        if (malformed is not null)
        {
            return CallerResult.Refused(malformed);
        }

        if (credential is null)
        {
            return quotas.AllowAnonymous
                ? CallerResult.Identified(new Caller($"anonymous:{context.Connection.RemoteIpAddress}", QuotaOptions.AnonymousPlan, quotas.Plans[QuotaOptions.AnonymousPlan], Anonymous: true))
                : CallerResult.Refused("An API key is required: send Authorization: Bearer <key>, X-Api-Key, or api_key in the query.");
        }

        if (BrowserTokens.LooksLikeToken(credential))
        {
            if (!allowTokens)
            {
                return CallerResult.Refused("A browser token cannot be used here; use the API key itself.");
            }

            return tokens.Validate(credential) is { } token && Find(quotas, token.Kid) is { } fromToken
                ? CallerResult.Identified(fromToken with { ViaToken = true, MaxCharacters = token.Chars })
                : CallerResult.Refused("The token is invalid or expired; ask for a new one at POST /v1/tokens.");
        }

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(credential));
        string? match = null;
        foreach (var (id, key) in quotas.Keys)
        {
            // Every key is compared, whatever matched before, so the time taken says nothing about which key is close.
            if (key.Sha256 is { Length: 64 } expected && CryptographicOperations.FixedTimeEquals(hash, Convert.FromHexString(expected)))
            {
                match = id;
            }
        }

        return match is not null && Find(quotas, match) is { } caller
            ? CallerResult.Identified(caller)
            : CallerResult.Refused("The API key is not known.");
    }

    private static Caller? Find(QuotaOptions quotas, string keyId) =>
        quotas.Keys.TryGetValue(keyId, out var key) && key.Plan is { } plan && quotas.Plans.TryGetValue(plan, out var limits)
            ? new Caller(keyId, plan, limits)
            : null;

    private static string? Credential(HttpRequest request, out string? malformed)
    {
        malformed = null;
        if (request.Headers.Authorization is { Count: > 0 } authorization)
        {
            var value = authorization.ToString();
            if (authorization.Count > 1 || !value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || value.Length <= "Bearer ".Length)
            {
                malformed = "The Authorization header must be a single 'Bearer <key>'.";
                return null;
            }

            return value["Bearer ".Length..].Trim();
        }

        if (request.Headers[ApiKeyHeader] is { Count: > 0 } header)
        {
            if (header.Count > 1 || string.IsNullOrWhiteSpace(header[0]))
            {
                malformed = $"The {ApiKeyHeader} header must carry one key.";
                return null;
            }

            return header[0]!.Trim();
        }

        if (request.Query[ApiKeyQuery] is { Count: > 0 } query)
        {
            if (query.Count > 1 || string.IsNullOrWhiteSpace(query[0]))
            {
                malformed = $"The {ApiKeyQuery} query parameter must carry one key.";
                return null;
            }

            return query[0];
        }

        return null;
    }
}

/// <summary>The outcome of <see cref="CallerIdentifier.Identify"/>.</summary>
internal readonly record struct CallerResult(Caller? Caller, string? Problem)
{
    public static CallerResult Identified(Caller caller) => new(caller, null);

    public static CallerResult Refused(string problem) => new(null, problem);
}
