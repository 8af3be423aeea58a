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
