using System.Security.Cryptography;
using System.Text;

namespace ChatTts.Edge.Callers;

/// <summary>How the edge reads a presented secret and compares it with a configured one: in one place, for API keys and the admin key.</summary>
internal static class Credentials
{
    private const string Bearer = "Bearer ";

    /// <summary>
    /// The credential of an <c>Authorization: Bearer &lt;secret&gt;</c> header; null when the header is absent; an
    /// empty string when it is there but not a single well-formed Bearer credential.
    /// </summary>
    public static string? FromAuthorization(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Headers.Authorization is not { Count: > 0 } authorization)
        {
            return null;
        }

        var value = authorization.ToString();
        return authorization.Count == 1 && value.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase) && value.Length > Bearer.Length
            ? value[Bearer.Length..].Trim()
            : string.Empty;
    }

    /// <summary>The SHA-256 of a presented secret (what keys are configured and compared by).</summary>
    public static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    /// <summary>Compares two SHA-256 hashes in constant time.</summary>
    public static bool HashesMatch(ReadOnlySpan<byte> presented, ReadOnlySpan<byte> expected) => CryptographicOperations.FixedTimeEquals(presented, expected);
}
