using ChatTts.Edge.Security;
using Microsoft.Extensions.Options;

namespace ChatTts.Edge.Callers;

/// <summary>
/// Finds the caller of a request: a verified client certificate (<c>cert:&lt;CN&gt;</c>), an API key in
/// <c>Authorization: Bearer</c>, <c>X-Api-Key</c> or the <c>api_key</c> query parameter (for <c>EventSource</c>), or a
/// browser token in any of those places. Keys are compared by their SHA-256, in constant time, against every configured key.
/// </summary>
internal sealed class CallerIdentifier(IOptionsMonitor<CallerOptions> options, IOptionsMonitor<ClientCertificateOptions> certificates, BrowserTokens tokens)
{
    public const string ApiKeyHeader = "X-Api-Key";
    public const string ApiKeyQuery = "api_key";

    /// <summary>The caller, or the reason (safe to show) it is not let in.</summary>
    public CallerResult Identify(HttpContext context, bool allowTokens = true)
    {
        ArgumentNullException.ThrowIfNull(context);
        var callers = options.CurrentValue;

        // A client certificate that got through the TLS handshake was verified there (ClientCertificateValidator).
        if (context.Connection.ClientCertificate is { } certificate)
        {
            return CallerResult.Identified(new Caller(ClientCertificateValidator.Identity(certificate), certificates.CurrentValue.Plan));
        }

        var credential = Credential(context.Request, out var malformed);
        if (malformed is not null)
        {
            return CallerResult.Refused(malformed);
        }

        if (credential is null)
        {
            return callers.AllowAnonymous
                ? CallerResult.Identified(new Caller($"anonymous:{context.Connection.RemoteIpAddress}", CallerOptions.AnonymousPlan, Anonymous: true))
                : CallerResult.Refused("An API key is required: send Authorization: Bearer <key>, X-Api-Key, or api_key in the query.");
        }

        if (BrowserTokens.LooksLikeToken(credential))
        {
            if (!allowTokens)
            {
                return CallerResult.Refused("A browser token cannot be used here; use the API key itself.");
            }

            return tokens.Validate(credential) is { } token && (Find(callers, token.Kid) ?? FindCertificate(token.Kid)) is { } fromToken
                ? CallerResult.Identified(fromToken with { ViaToken = true, MaxCharacters = token.Chars })
                : CallerResult.Refused("The token is invalid or expired; ask for a new one at POST /v1/tokens.");
        }

        var hash = Credentials.Hash(credential);
        string? match = null;
        foreach (var (id, key) in callers.Keys)
        {
            // Every key is compared, whatever matched before, so the time taken says nothing about which key is close.
            if (key.Sha256 is { Length: 64 } expected && Credentials.HashesMatch(hash, Convert.FromHexString(expected)))
            {
                match = id;
            }
        }

        return match is not null && Find(callers, match) is { } caller
            ? CallerResult.Identified(caller)
            : CallerResult.Refused("The API key is not known.");
    }

    /// <summary>The holder of a client certificate, for a token it minted (one its browser can use without the certificate).</summary>
    private Caller? FindCertificate(string keyId) =>
        keyId.StartsWith(ClientCertificateValidator.IdentityPrefix, StringComparison.Ordinal) && certificates.CurrentValue is { TrustedCaPath.Length: > 0 } settings
            ? new Caller(keyId, settings.Plan)
            : null;

    private static Caller? Find(CallerOptions callers, string keyId) =>
        callers.Keys.TryGetValue(keyId, out var key) && key.Plan is { } plan ? new Caller(keyId, plan) : null;

    private static string? Credential(HttpRequest request, out string? malformed)
    {
        malformed = null;
        if (Credentials.FromAuthorization(request) is { } bearer)
        {
            malformed = bearer.Length == 0 ? "The Authorization header must be a single 'Bearer <key>'." : null;
            return bearer.Length == 0 ? null : bearer;
        }

        return Single(request.Headers[ApiKeyHeader], $"The {ApiKeyHeader} header must carry one key.", ref malformed)
            ?? Single(request.Query[ApiKeyQuery], $"The {ApiKeyQuery} query parameter must carry one key.", ref malformed);
    }

    private static string? Single(Microsoft.Extensions.Primitives.StringValues values, string problem, ref string? malformed)
    {
        if (values.Count == 0 || malformed is not null)
        {
            return null;
        }

        if (values.Count > 1 || string.IsNullOrWhiteSpace(values[0]))
        {
            malformed = problem;
            return null;
        }

        return values[0]!.Trim();
    }
}

/// <summary>The outcome of <see cref="CallerIdentifier.Identify"/>.</summary>
internal readonly record struct CallerResult(Caller? Caller, string? Problem)
{
    public static CallerResult Identified(Caller caller) => new(caller, null);

    public static CallerResult Refused(string problem) => new(null, problem);
}
