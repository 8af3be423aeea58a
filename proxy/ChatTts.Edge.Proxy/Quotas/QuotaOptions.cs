using System.ComponentModel.DataAnnotations;

namespace ChatTts.Edge.Quotas;

/// <summary>Where quota state lives.</summary>
internal enum QuotaStoreKind
{
    /// <summary>In this process: for the demo and single instances.</summary>
    Memory,

    /// <summary>In Redis: limits hold across every replica.</summary>
    Redis,
}

/// <summary>What to do while Redis is unreachable.</summary>
internal enum QuotaFailureMode
{
    /// <summary>Keep serving, enforcing every plan per replica, until Redis is back.</summary>
    Open,

    /// <summary>Answer 503.</summary>
    Closed,
}

/// <summary>Section <c>Edge:Quotas</c> (names are a contract).</summary>
internal sealed class QuotaOptions
{
    public const string SectionName = "Edge:Quotas";
    public const string AnonymousPlan = "anonymous";

    public QuotaStoreKind Store { get; set; } = QuotaStoreKind.Memory;

    /// <summary>StackExchange.Redis configuration string, e.g. <c>127.0.0.1:6379</c>.</summary>
    public string? Redis { get; set; }

    /// <summary>
    /// Deadline of every Redis call (and of connecting). A Redis that does not answer within it counts as down:
    /// <see cref="FailureMode"/> applies at once until it answers again.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:00:30")]
    public TimeSpan RedisTimeout { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Callers without a key get the <c>anonymous</c> plan (per client address) instead of 401.</summary>
    public bool AllowAnonymous { get; set; }

    public QuotaFailureMode FailureMode { get; set; } = QuotaFailureMode.Open;

    public Dictionary<string, QuotaPlan> Plans { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public Dictionary<string, ApiKeyOptions> Keys { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Secret (at least 32 characters) that signs browser tokens; every replica needs the same one. When empty, each
    /// process makes up its own, so a token works only on the replica that issued it.
    /// </summary>
    public string? TokenSigningKey { get; set; }

    /// <summary>How long a concurrent-stream lease lives without renewal; a crashed replica's leases expire after this.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan LeaseTtl { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>One plan's limits; a limit left out does not apply.</summary>
internal sealed class QuotaPlan
{
    /// <summary>Steady request rate.</summary>
    public double? RequestsPerMinute { get; set; }

    /// <summary>Requests that may come at once on top of the steady rate (the bucket's size); default 1.</summary>
    public int? Burst { get; set; }

    /// <summary>Characters of text per UTC day.</summary>
    public long? CharactersPerDay { get; set; }

    /// <summary>Streams open at once.</summary>
    public int? ConcurrentStreams { get; set; }

    public int EffectiveBurst => Burst ?? 1;

    /// <summary>Time between requests at the steady rate; zero when there is no rate limit.</summary>
    public TimeSpan EmissionInterval => RequestsPerMinute is > 0 and var rpm ? TimeSpan.FromMinutes(1 / rpm) : TimeSpan.Zero;
}

/// <summary>One API key: the SHA-256 of its secret (never the secret) and its plan.</summary>
internal sealed class ApiKeyOptions
{
    /// <summary>Lowercase hex SHA-256 of the secret key.</summary>
    public string? Sha256 { get; set; }

    public string? Plan { get; set; }
}
