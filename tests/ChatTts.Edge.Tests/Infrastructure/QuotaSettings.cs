using System.Security.Cryptography;
using System.Text;

namespace ChatTts.Edge.Tests.Infrastructure;

/// <summary>Quota configuration for tests: one key "alice" on plan "test" with the limits given.</summary>
internal static class QuotaSettings
{
    public const string AliceKey = "alice-secret-key-0001";
    public const string SigningKey = "a-test-signing-key-of-at-least-32-characters";

    public static Dictionary<string, string?> Alice(
        string? redis = null,
        int? requestsPerMinute = null,
        int? burst = null,
        long? charactersPerDay = null,
        int? concurrentStreams = null,
        string failureMode = "Open",
        string leaseTtl = "00:00:30")
    {
        var settings = new Dictionary<string, string?>
        {
            ["Edge:Quotas:AllowAnonymous"] = "false",
            ["Edge:Quotas:Store"] = redis is null ? "Memory" : "Redis",
            ["Edge:Quotas:Redis"] = redis,
            ["Edge:Quotas:FailureMode"] = failureMode,
            ["Edge:Quotas:LeaseTtl"] = leaseTtl,
            ["Edge:Quotas:TokenSigningKey"] = SigningKey,
            ["Edge:Quotas:Keys:alice:Sha256"] = Sha256(AliceKey),
            ["Edge:Quotas:Keys:alice:Plan"] = "test",
            ["Edge:Quotas:Plans:test:RequestsPerMinute"] = requestsPerMinute?.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Edge:Quotas:Plans:test:Burst"] = burst?.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Edge:Quotas:Plans:test:CharactersPerDay"] = charactersPerDay?.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Edge:Quotas:Plans:test:ConcurrentStreams"] = concurrentStreams?.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        return settings;
    }

    /// <summary>The same settings as environment variables for a proxy process.</summary>
    public static Dictionary<string, string> AsEnvironment(IDictionary<string, string?> settings) =>
        settings.Where(s => s.Value is not null).ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value!);

    public static string Sha256(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
