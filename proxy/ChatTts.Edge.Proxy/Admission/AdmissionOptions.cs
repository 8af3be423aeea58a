using System.ComponentModel.DataAnnotations;

namespace ChatTts.Edge.Admission;

/// <summary>Section <c>Edge:Admission</c>: the queue of requests waiting for a free GPU slot.</summary>
internal sealed class AdmissionOptions
{
    public const string SectionName = "Edge:Admission";

    /// <summary>Most requests waiting at once; one more gets 503 with <c>Retry-After</c> at once. 0 turns queueing off.</summary>
    [Range(0, 100_000)]
    public int MaxQueueLength { get; set; } = AdmissionDefaults.MaxQueueLength;

    /// <summary>
    /// Longest a request waits for a backend in all (in the queue and between retries); then it gets 503 with
    /// <c>Retry-After</c>, or an <c>error</c> event if its stream already carries <c>queued</c> events.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan MaxQueueWait { get; set; } = AdmissionDefaults.MaxQueueWait;

    /// <summary>
    /// Where GPU slots and the queue live: <c>Local</c>, this process counts its own (one replica); <c>Redis</c>, one
    /// count per GPU and one FIFO queue for every replica sharing the edge's Redis (<c>Edge:Redis</c>). Read at start-up.
    /// </summary>
    public AdmissionStore Store { get; set; } = AdmissionStore.Local;

    /// <summary>
    /// With <c>Store=Redis</c>: how long a slot (and a waiting request's place) outlives its replica. Held slots are renewed
    /// every third of it, so a replica that dies gives its GPUs back within this time.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan SlotLease { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>With <c>Store=Redis</c>: what a replica does while Redis is unreachable.</summary>
    public AdmissionFailureMode FailureMode { get; set; } = AdmissionFailureMode.LocalShare;

    /// <summary>
    /// With <c>FailureMode=LocalShare</c>: the share of each GPU's <c>MaxConcurrency</c> this replica uses on its own while
    /// Redis is unreachable, rounded down. With N replicas, 1/N keeps every GPU within its cap (a GPU of cap 1 then
    /// serves no one until Redis is back: nobody can know which replica may use it).
    /// </summary>
    [Range(0.0, 1.0)]
    public double LocalShare { get; set; } = 0.5;
}

/// <summary>Where GPU slots and the admission queue live.</summary>
internal enum AdmissionStore
{
    /// <summary>In this process: for one replica.</summary>
    Local,

    /// <summary>In Redis: one count per GPU and one queue for every replica.</summary>
    Redis,
}

/// <summary>What a replica with <c>Store=Redis</c> does while Redis is unreachable.</summary>
internal enum AdmissionFailureMode
{
    /// <summary>Counts its own slots, up to <see cref="AdmissionOptions.LocalShare"/> of each GPU's cap; back to Redis when it answers.</summary>
    LocalShare,

    /// <summary>Answers 503 with <c>Retry-After</c> until Redis answers again.</summary>
    Unavailable,
}

/// <summary>Defaults of admission control, in one place.</summary>
internal static class AdmissionDefaults
{
    public const int MaxQueueLength = 100;
    public static readonly TimeSpan MaxQueueWait = TimeSpan.FromSeconds(30);

    /// <summary>How often waiting requests look again for a backend that became healthy or was added.</summary>
    public static readonly TimeSpan RecheckInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>Assumed synthesis time until the first one has been measured.</summary>
    public static readonly TimeSpan InitialServiceTime = TimeSpan.FromSeconds(2);

    /// <summary>Drain rates are measured over this much recent time.</summary>
    public static readonly TimeSpan DrainWindow = TimeSpan.FromSeconds(30);

    /// <summary>Bounds of the <c>Retry-After</c> the queue advises.</summary>
    public static readonly TimeSpan MinRetryAfter = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(60);
}
