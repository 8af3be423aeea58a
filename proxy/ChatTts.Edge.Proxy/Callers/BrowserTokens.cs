using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using ChatTts.Edge.Hosting;

namespace ChatTts.Edge.Callers;

/// <summary>
/// Short-lived tokens an <c>EventSource</c> URL can carry instead of the secret key: <c>t1.&lt;payload&gt;.&lt;mac&gt;</c>,
/// the payload naming the key id, the expiry and an optional per-request character cap, signed with HMAC-SHA256
/// under <c>Edge:Quotas:TokenSigningKey</c>.
/// </summary>
internal sealed partial class BrowserTokens
{
    public const string Prefix = "t1.";
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromMinutes(15);
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromMinutes(5);

    private readonly byte[] _secret;
    private readonly TimeProvider _time;

    public BrowserTokens(IOptions<CallerOptions> options, TimeProvider time, ILogger<BrowserTokens> logger)
    {
        _time = time;
        if (options.Value.TokenSigningKey is { Length: > 0 } configured)
        {
            _secret = Encoding.UTF8.GetBytes(configured);
        }
        else
        {
            _secret = RandomNumberGenerator.GetBytes(32);
            Log.EphemeralSecret(logger);
        }
    }

    public static bool LooksLikeToken(string credential) => credential.StartsWith(Prefix, StringComparison.Ordinal);

    public IssuedToken Issue(string keyId, TimeSpan lifetime, int? maxCharacters)
    {
        // Whole seconds, rounded up: a token lives at least the lifetime asked for.
        var expiresSeconds = ((_time.GetUtcNow() + lifetime).ToUnixTimeMilliseconds() + 999) / 1000;
        var expires = DateTimeOffset.FromUnixTimeSeconds(expiresSeconds);
        var payload = JsonSerializer.SerializeToUtf8Bytes(new TokenPayload(keyId, expiresSeconds, maxCharacters), TokenJsonContext.Default.TokenPayload);
        var body = Base64Url.EncodeToString(payload);
        return new IssuedToken(string.Concat(Prefix, body, ".", Sign(body)), expires);
    }

    /// <summary>The token's key id and cap, or null when it is malformed, forged or expired.</summary>
    public TokenPayload? Validate(string token)
    {
        if (!LooksLikeToken(token))
        {
            return null;
        }

        var rest = token.AsSpan(Prefix.Length);
        var dot = rest.IndexOf('.');
        if (dot <= 0)
        {
            return null;
        }

        var body = rest[..dot].ToString();
        var presented = rest[(dot + 1)..].ToString();
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(body)), Encoding.ASCII.GetBytes(presented)))
        {
            return null;
        }

        try
        {
            var payload = JsonSerializer.Deserialize(Base64Url.DecodeFromChars(body), TokenJsonContext.Default.TokenPayload);
            return payload is not null && DateTimeOffset.FromUnixTimeSeconds(payload.Exp) > _time.GetUtcNow() ? payload : null;
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return null;
        }
    }

    private string Sign(string body) => Base64Url.EncodeToString(HMACSHA256.HashData(_secret, Encoding.ASCII.GetBytes(body)));

    private static partial class Log
    {
        [LoggerMessage(LogEvents.EphemeralTokenSecret, LogLevel.Warning, "Edge:Quotas:TokenSigningKey is not set: browser tokens are signed with a key of this process only and work on this replica only")]
        public static partial void EphemeralSecret(ILogger logger);
    }
}

/// <summary>What a token says: the key id (<c>kid</c>), expiry in Unix seconds (<c>exp</c>) and per-request character cap (<c>chars</c>).</summary>
internal sealed record TokenPayload(
    [property: System.Text.Json.Serialization.JsonPropertyName("kid")] string Kid,
    [property: System.Text.Json.Serialization.JsonPropertyName("exp")] long Exp,
    [property: System.Text.Json.Serialization.JsonPropertyName("chars")] int? Chars);

internal readonly record struct IssuedToken(string Token, DateTimeOffset ExpiresAt);
