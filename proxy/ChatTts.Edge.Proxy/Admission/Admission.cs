using ChatTts.Edge.Backends;

namespace ChatTts.Edge.Admission;

/// <summary>What one synthesis attempt asks of the queue.</summary>
/// <param name="Context">The client's request (load-balancing policies may read it).</param>
/// <param name="Exclude">Destinations already tried by this request; a retry goes elsewhere.</param>
/// <param name="IsRetry">Retries wait ahead of new requests, which have not waited yet, and are never refused as "queue full".</param>
/// <param name="MaxWait">How long the request may still wait for a slot.</param>
/// <param name="Speech">What the backend will be asked: only destinations whose dialect can honour it qualify.</param>
/// <param name="IsContinuation">
/// A later segment of a split long text (its first segment was admitted already): it waits behind every new request, so
/// a long text cannot starve other callers' short ones, and it is never refused as "queue full".
/// </param>
internal sealed record AdmissionRequest(HttpContext Context, IReadOnlySet<string> Exclude, bool IsRetry, TimeSpan MaxWait, BackendRequest Speech, bool IsContinuation = false)
{
    /// <summary>
    /// Where it queues: retries first (0), then new requests and the first segments of long texts (1), then later
    /// segments (2); first come, first served within each class. A retry of a later segment is a retry.
    /// </summary>
    public int Class => IsRetry ? 0 : IsContinuation ? 2 : 1;
}

/// <summary>Why a request got no backend.</summary>
internal enum AdmissionRefusal
{
    None,

    /// <summary>No destination can serve it: none configured, all unhealthy, draining or already tried.</summary>
    NoBackend,

    /// <summary>Every backend is busy and the queue is full.</summary>
    QueueFull,

    /// <summary>It waited <c>Edge:Admission:MaxQueueWait</c> without getting a slot.</summary>
    Timeout,

    /// <summary>The proxy is shutting down.</summary>
    ShuttingDown,

    /// <summary>The fleet's slots are in Redis, which is unreachable, and <c>FailureMode</c> is <c>Unavailable</c>.</summary>
    StoreUnavailable,
}

/// <summary>A slot on a backend, or why there is none and when to come back.</summary>
internal readonly record struct Admission(BackendLease? Lease, AdmissionRefusal Refusal, TimeSpan RetryAfter)
{
    public static Admission Granted(BackendLease lease) => new(lease, AdmissionRefusal.None, TimeSpan.Zero);

    public static Admission Refused(AdmissionRefusal refusal, TimeSpan retryAfter) => new(null, refusal, retryAfter);
}

/// <summary>Where a waiting request stands.</summary>
internal readonly record struct QueueNotice(int Position, TimeSpan EstimatedWait);

/// <summary>Told each time a waiting request's place in the queue changes (and when it starts waiting).</summary>
internal interface IQueueObserver
{
    ValueTask QueuedAsync(QueueNotice notice, CancellationToken cancellationToken);

    /// <summary>A request that waited got its slot: its client hears it before anyone behind it hears of moving up.</summary>
    ValueTask AdmittedAsync(CancellationToken cancellationToken);
}

/// <summary>The admission queue gave a request no backend.</summary>
internal sealed class AdmissionRefusedException : Exception
{
    public AdmissionRefusedException()
    {
    }

    public AdmissionRefusedException(string message)
        : base(message)
    {
    }

    public AdmissionRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public AdmissionRefusedException(AdmissionRefusal refusal, TimeSpan retryAfter)
        : base($"Admission refused: {refusal}")
    {
        Refusal = refusal;
        RetryAfter = retryAfter;
    }

    public AdmissionRefusal Refusal { get; }

    public TimeSpan RetryAfter { get; }
}
