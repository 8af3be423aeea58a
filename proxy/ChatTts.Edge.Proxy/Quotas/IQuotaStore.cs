namespace ChatTts.Edge.Quotas;

/// <summary>Keeps the quota state of every key: request rate (GCRA), characters per UTC day, open-stream leases.</summary>
internal interface IQuotaStore
{
    /// <summary>Checks all three limits and, when all hold, charges the request and takes a stream lease, at once.</summary>
    /// <exception cref="QuotaStoreUnavailableException">The store cannot be reached.</exception>
    Task<QuotaDecision> AcquireAsync(QuotaCharge charge, CancellationToken cancellationToken);

    /// <summary>Keeps a lease alive; false when it had already expired.</summary>
    Task<bool> RenewAsync(QuotaLeaseId lease, CancellationToken cancellationToken);

    /// <summary>Ends a lease, giving the characters back when <paramref name="refundCharacters"/> (no audio was sent).</summary>
    Task ReleaseAsync(QuotaLeaseId lease, bool refundCharacters, CancellationToken cancellationToken);

    /// <summary>The key's usage now, without charging anything.</summary>
    Task<QuotaUsage> GetUsageAsync(QuotaAccount account, CancellationToken cancellationToken);
}

/// <summary>Who is charged, and under which plan: an API key's id (or <c>cert:&lt;CN&gt;</c>, <c>anonymous:&lt;address&gt;</c>).</summary>
internal sealed record QuotaAccount(string KeyId, QuotaPlan Plan);

/// <summary>What one request costs: a request against the rate, its characters, one stream.</summary>
internal sealed record QuotaCharge(QuotaAccount Account, long Characters, string LeaseId, TimeSpan LeaseTtl);

/// <summary>Identifies a granted lease and what it charged, so it can be renewed, released and refunded.</summary>
internal sealed record QuotaLeaseId(QuotaAccount Account, string LeaseId, long Characters, long Day, TimeSpan LeaseTtl);

/// <summary>Which limit refused a request.</summary>
internal enum QuotaLimit
{
    None,
    Rate,
    Characters,
    Concurrency,
}

/// <summary>The store's answer, with what the <c>RateLimit-*</c> headers report.</summary>
internal sealed record QuotaDecision(QuotaLimit Refused, TimeSpan RetryAfter, QuotaUsage Usage, QuotaLeaseId? Lease)
{
    public bool Allowed => Refused == QuotaLimit.None;

    /// <summary>A limit's name as clients and metrics see it: <c>rate</c>, <c>characters</c>, <c>concurrency</c>.</summary>
    public static string Name(QuotaLimit limit) => limit switch
    {
        QuotaLimit.Rate => "rate",
        QuotaLimit.Characters => "characters",
        QuotaLimit.Concurrency => "concurrency",
        _ => "none",
    };
}

/// <summary>A key's usage of its plan at one moment.</summary>
/// <param name="RateRemaining">Requests that could be made right now (null without a rate limit).</param>
/// <param name="RateReset">Until the rate bucket is full again.</param>
/// <param name="CharactersUsed">Characters charged today (UTC).</param>
/// <param name="CharactersReset">Until the next UTC midnight.</param>
/// <param name="ActiveStreams">Streams holding a lease.</param>
internal sealed record QuotaUsage(long? RateRemaining, TimeSpan RateReset, long CharactersUsed, TimeSpan CharactersReset, long ActiveStreams);

/// <summary>The quota store (Redis) cannot be reached.</summary>
internal sealed class QuotaStoreUnavailableException : Exception
{
    public QuotaStoreUnavailableException()
    {
    }

    public QuotaStoreUnavailableException(string message)
        : base(message)
    {
    }

    public QuotaStoreUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
