using ChatTts.Edge.Redis;
using System.ComponentModel.DataAnnotations;

namespace ChatTts.Edge.Resume;

/// <summary>
/// Section <c>Edge:Resume</c>: streams a client can continue after a network blip (<c>Last-Event-ID</c>), on any replica,
/// without a new synthesis or charge.
/// </summary>
internal sealed class ResumeOptions
{
    public const string SectionName = "Edge:Resume";

    /// <summary>Record streams so they can be resumed; false: every reconnect is a new stream, as before.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Where the journals are kept: <c>Memory</c>, a client resumes on the replica that served it; <c>Redis</c>, one
    /// Redis Stream per stream, on any replica; <c>Auto</c>, Redis when the edge has one.</summary>
    public SharedStateStore Store { get; set; } = SharedStateStore.Auto;

    /// <summary>How long a stream's events are kept after its last one.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan Retention { get; set; } = ResumeDefaults.Retention;

    /// <summary>
    /// How long a synthesis goes on after its client left (having had audio), for the client to come back; cancelled then
    /// unless a resume attached to it. 0 cancels at once, as without resumption.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan Grace { get; set; } = ResumeDefaults.Grace;

    /// <summary>The <c>retry:</c> every stream starts with: how long a browser waits before reconnecting.</summary>
    [Range(0, 60_000)]
    public int RetryMilliseconds { get; set; } = ResumeDefaults.RetryMilliseconds;

    /// <summary>Most bytes the memory store keeps in all; beyond it the oldest finished streams go first.</summary>
    [Range(1L << 20, 64L << 30)]
    public long MaxBytes { get; set; } = ResumeDefaults.MaxBytes;

    /// <summary>Most bytes one stream's journal keeps; a longer stream is no longer resumable (it plays on).</summary>
    [Range(64L << 10, 4L << 30)]
    public long MaxStreamBytes { get; set; } = ResumeDefaults.MaxStreamBytes;

    /// <summary>
    /// How long a resumed stream waits for the next event of a synthesis still running elsewhere; then it ends with a
    /// retryable <c>resume_lost</c> error (the replica synthesizing it is gone).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan IdleTimeout { get; set; } = ResumeDefaults.IdleTimeout;
}

/// <summary>Defaults of <see cref="ResumeOptions"/>, in one place.</summary>
internal static class ResumeDefaults
{
    public const int RetryMilliseconds = 1000;

    /// <summary>256 MiB: about 45 minutes of 24 kHz audio as base64-ready WAV chunks.</summary>
    public const long MaxBytes = 256L << 20;

    /// <summary>32 MiB: about 11 minutes of audio.</summary>
    public const long MaxStreamBytes = 32L << 20;

    public static readonly TimeSpan Retention = TimeSpan.FromMinutes(5);

    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);

    public static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(30);
}
