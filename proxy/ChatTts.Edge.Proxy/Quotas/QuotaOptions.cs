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

/// <summary>
/// Section <c>Edge:Quotas</c> (names are a contract): where quota state lives and the plans. The same section names the
/// callers (keys, tokens, anonymous callers): <c>CallerOptions</c>.
/// </summary>
internal sealed class QuotaOptions
{
    public const string SectionName = "Edge:Quotas";

    public QuotaStoreKind Store { get; set; } = QuotaStoreKind.Memory;

    /// <summary>
    /// StackExchange.Redis configuration string, e.g. <c>127.0.0.1:6379</c>: the earlier name of
    /// <c>Edge:Redis:Configuration</c>, which every feature with shared state uses (either may be set).
    /// </summary>
    public string? Redis { get; set; }

    public QuotaFailureMode FailureMode { get; set; } = QuotaFailureMode.Open;

    /// <summary>The plans callers are charged to, by name (the keys, the anonymous callers and the certificate holders name theirs).</summary>
    public Dictionary<string, QuotaPlan> Plans { get; set; } = new(StringComparer.OrdinalIgnoreCase);

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
