namespace ChatTts.Edge.LoadTests.Reporting;

/// <summary>What the HTML report's charts and the stream breakdowns are drawn from: every stream of a run, and the
/// audio events received in each second, all on one time axis that starts when the load started.</summary>
/// <param name="Warmup">The start of the run left out of the statistics (drawn shaded).</param>
/// <param name="Duration">How long load was applied.</param>
/// <param name="Streams">Every stream, warm-up included, in no particular order.</param>
/// <param name="AudioEventsPerSecond">Element <c>i</c>: audio events received in second <c>i</c> of the run.</param>
internal sealed record Timeline(TimeSpan Warmup, TimeSpan Duration, IReadOnlyList<TimelinePoint> Streams, IReadOnlyList<int> AudioEventsPerSecond)
{
    /// <summary>The streams the run's figures count (those started after the warm-up, or every one where the scenario
    /// says so).</summary>
    public IEnumerable<TimelinePoint> Measured => Streams.Where(s => s.Measured);
}

/// <summary>One stream on the time axis.</summary>
/// <param name="StartedAt">When its request was sent, since the load started.</param>
/// <param name="EndedAt">When it ended, since the load started.</param>
/// <param name="FirstAudio">From its request to its first audio event; null when no audio came.</param>
/// <param name="Succeeded">Whether it ended with <c>done</c> and valid audio.</param>
internal readonly record struct TimelinePoint(TimeSpan StartedAt, TimeSpan EndedAt, TimeSpan? FirstAudio, bool Succeeded)
{
    /// <summary>Whether the run's figures count it (see <see cref="Timeline.Measured"/>).</summary>
    public bool Measured { get; init; }

    /// <summary>The response's HTTP status; null when none came (the connection failed).</summary>
    public int? HttpStatus { get; init; }

    /// <summary>The <c>code</c> of its <c>error</c> event, when it ended with one.</summary>
    public string? ErrorCode { get; init; }

    /// <summary>The backend its <c>done</c> event names; null without one.</summary>
    public string? Backend { get; init; }

    /// <summary>Why it failed, in a few words (<c>HTTP 503</c>, <c>error backend_interrupted</c>, <c>invalid audio</c>,
    /// <c>cut</c>…); null when it succeeded.</summary>
    public string? Failure { get; init; }
}
