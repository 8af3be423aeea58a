namespace ChatTts.Edge.LoadTests.Load;

/// <summary>How one stream ended, as its client saw it.</summary>
internal enum StreamStatus
{
    /// <summary>The stream ended with a <c>done</c> event: the only good ending.</summary>
    Done,

    /// <summary>The stream ended with an <c>error</c> event.</summary>
    ErrorEvent,

    /// <summary>The request was answered with another status than 200 (e.g. 503 with <c>Retry-After</c>).</summary>
    Refused,

    /// <summary>The connection failed, or the stream ended with neither <c>done</c> nor <c>error</c>.</summary>
    Broken,

    /// <summary>Still running when the drain timeout (or an interruption) cut it.</summary>
    Cut,
}

/// <summary>One stream: how it ended, when (<see cref="TimeProvider"/> timestamps) and what it carried.</summary>
internal sealed record StreamOutcome(StreamStatus Status, long StartedAt, long EndedAt)
{
    /// <summary>Which client ran it (0-based).</summary>
    public int Client { get; init; }

    public int AudioEvents { get; init; }

    /// <summary>Whether a <c>queued</c> event came (the request waited for a GPU).</summary>
    public bool Queued { get; init; }

    /// <summary>The <c>backend</c> of the <c>done</c> event: the destination id.</summary>
    public string? Backend { get; init; }

    /// <summary>From sending the request to the first <c>audio</c> event, measured by the client.</summary>
    public TimeSpan? FirstAudio { get; init; }

    /// <summary>The proxy's own time for the quota check, from the response's <c>Server-Timing: quota;dur=…</c>.</summary>
    public TimeSpan? QuotaCheck { get; init; }

    /// <summary>Why it failed: <c>HTTP 503</c>, the <c>error</c> event's code, an exception's message.</summary>
    public string? Failure { get; init; }

    /// <summary>The <c>Retry-After</c> of a refusal.</summary>
    public TimeSpan? RetryAfter { get; init; }
}
