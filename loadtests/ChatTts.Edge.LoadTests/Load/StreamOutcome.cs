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

    /// <summary>The client left on purpose mid-stream (a listener who closed the tab): not a failure.</summary>
    GaveUp,
}

/// <summary>One stream: how it ended, when (<see cref="TimeProvider"/> timestamps) and what it carried.</summary>
internal sealed record StreamOutcome(StreamStatus Status, long StartedAt, long EndedAt)
{
    /// <summary>Which client ran it (0-based).</summary>
    public int Client { get; init; }

    /// <summary>The request's number in its run (0-based), which also goes into its text where a scenario needs
    /// to find the stream in a backend's records.</summary>
    public long Number { get; init; }

    /// <summary>The HTTP status of the response, or null when none came.</summary>
    public int? HttpStatus { get; init; }

    public int AudioEvents { get; init; }

    /// <summary>Samples in all its audio events (24 000 per second of audio).</summary>
    public long AudioSamples { get; init; }

    /// <summary>Response body bytes received.</summary>
    public long Bytes { get; init; }

    /// <summary>The first problem found in its audio (a bad WAV chunk, a gap in <c>seq</c>, a <c>done</c> that
    /// disagrees with the audio received), or null when every chunk was valid.</summary>
    public string? AudioProblem { get; init; }

    /// <summary>Whether a <c>queued</c> event came (the request waited for a GPU).</summary>
    public bool Queued { get; init; }

    /// <summary>The <c>backend</c> of the <c>done</c> event: the destination id.</summary>
    public string? Backend { get; init; }

    /// <summary>Whether the <c>done</c> event said <c>"cached": true</c>: the edge replayed the audio instead of a GPU making it.</summary>
    public bool Cached { get; init; }

    /// <summary>The <c>segments</c> of the <c>done</c> event: how many segments a split text was spoken in (null: not split).</summary>
    public int? Segments { get; init; }

    /// <summary>The <c>code</c> of the <c>error</c> event, when the stream ended with one.</summary>
    public string? ErrorCode { get; init; }

    /// <summary>From sending the request to the first <c>audio</c> event, measured by the client.</summary>
    public TimeSpan? FirstAudio { get; init; }

    /// <summary>From sending the request to the last <c>audio</c> event.</summary>
    public TimeSpan? LastAudio { get; init; }

    /// <summary>The times between consecutive audio events.</summary>
    public IReadOnlyList<TimeSpan> Gaps { get; init; } = [];

    /// <summary>The proxy's own time for the quota check, from the response's <c>Server-Timing: quota;dur=…</c>.</summary>
    public TimeSpan? QuotaCheck { get; init; }

    /// <summary>Why it failed: <c>HTTP 503</c>, the <c>error</c> event's code, an exception's message.</summary>
    public string? Failure { get; init; }

    /// <summary>The <c>Retry-After</c> of a refusal.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>Ended with <c>done</c> and every audio chunk valid.</summary>
    public bool Succeeded => Status == StreamStatus.Done && AudioProblem is null;

    /// <summary>The audio received, in seconds.</summary>
    public double AudioSeconds => AudioSamples / 24_000.0;

    /// <summary>A one-word outcome for reports: <c>done</c>, <c>invalid audio</c>, the failure, or the status.</summary>
    public string OutcomeText => Succeeded ? "done" : AudioProblem is not null ? "invalid audio" : Failure ?? Status.ToString();
}
