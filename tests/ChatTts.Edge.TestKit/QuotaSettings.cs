using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ChatTts.Edge.TestKit;

/// <summary>
/// Quota configuration in <c>Section:Key</c> form for tests and load runs: plans nobody reaches, API keys (the proxy
/// gets only their SHA-256), and the tests' key "alice" on plan "test" with the limits given.
/// </summary>
internal static class QuotaSettings
{
    public const string AliceKey = "alice-secret-key-0001";
    public const string SigningKey = "a-test-signing-key-of-at-least-32-characters";

    /// <summary>An unlimited plan's rate: one request per millisecond, a whole number of milliseconds as the Redis
    /// script needs (it hands the interval to <c>SET … PX</c>, which takes only integers).</summary>
    public const int UnlimitedRequestsPerMinute = 60_000;

    /// <summary>An unlimited plan's burst: 10⁸ requests, some 27 hours' worth at that rate.</summary>
    public const int UnlimitedBurst = 100_000_000;

    public const long UnlimitedCharactersPerDay = 100_000_000_000;

    public const int UnlimitedConcurrentStreams = 1_000_000;

    /// <summary>
    /// Plan <paramref name="plan"/> with all four limits set far above any test or load run, so every check runs and
    /// none refuses. <paramref name="burst"/> may differ, so that <c>RateLimit-Limit</c> tells two such plans apart.
    /// </summary>
    public static IReadOnlyDictionary<string, string> UnlimitedPlan(string plan, int burst = UnlimitedBurst) => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [$"Edge:Quotas:Plans:{plan}:RequestsPerMinute"] = UnlimitedRequestsPerMinute.ToString(CultureInfo.InvariantCulture),
        [$"Edge:Quotas:Plans:{plan}:Burst"] = burst.ToString(CultureInfo.InvariantCulture),
        [$"Edge:Quotas:Plans:{plan}:CharactersPerDay"] = UnlimitedCharactersPerDay.ToString(CultureInfo.InvariantCulture),
        [$"Edge:Quotas:Plans:{plan}:ConcurrentStreams"] = UnlimitedConcurrentStreams.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>Callers without a key let in, on an unlimited plan: for whatever does not test quotas.</summary>
    public static IReadOnlyDictionary<string, string> UnlimitedAnonymous() =>
        new Dictionary<string, string>(UnlimitedPlan("anonymous"), StringComparer.Ordinal) { ["Edge:Quotas:AllowAnonymous"] = "true" };

    /// <summary>API key <paramref name="id"/> on <paramref name="plan"/>, configured by its secret's SHA-256.</summary>
    public static IReadOnlyDictionary<string, string> Key(string id, string secret, string plan) => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [$"Edge:Quotas:Keys:{id}:Sha256"] = Sha256(secret),
        [$"Edge:Quotas:Keys:{id}:Plan"] = plan,
    };

    /// <summary>A new random API key secret (48 hex digits), e.g. one per load-test run.</summary>
    public static string NewSecret() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));

    /// <summary>How the proxy's configuration names a key: the lowercase hex SHA-256 of its UTF-8 bytes.</summary>
    public static string Sha256(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

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
            ["Edge:Quotas:Plans:test:RequestsPerMinute"] = requestsPerMinute?.ToString(CultureInfo.InvariantCulture),
            ["Edge:Quotas:Plans:test:Burst"] = burst?.ToString(CultureInfo.InvariantCulture),
            ["Edge:Quotas:Plans:test:CharactersPerDay"] = charactersPerDay?.ToString(CultureInfo.InvariantCulture),
            ["Edge:Quotas:Plans:test:ConcurrentStreams"] = concurrentStreams?.ToString(CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in Key("alice", AliceKey, "test"))
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>The same settings as environment variables for a proxy process.</summary>
    public static Dictionary<string, string> AsEnvironment(IDictionary<string, string?> settings) =>
        settings.Where(s => s.Value is not null).ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value!);
}
