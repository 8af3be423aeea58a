namespace ChatTts.Edge.LoadTests.Reporting;

/// <summary>What the HTML report's charts are drawn from: every stream of a run, and the audio events received in
/// each second, all on one time axis that starts when the load started.</summary>
/// <param name="Warmup">The start of the run left out of the statistics (drawn shaded).</param>
/// <param name="Duration">How long load was applied.</param>
/// <param name="Streams">Every stream, warm-up included, in no particular order.</param>
/// <param name="AudioEventsPerSecond">Element <c>i</c>: audio events received in second <c>i</c> of the run.</param>
internal sealed record Timeline(TimeSpan Warmup, TimeSpan Duration, IReadOnlyList<TimelinePoint> Streams, IReadOnlyList<int> AudioEventsPerSecond);

/// <summary>One stream on the time axis.</summary>
/// <param name="StartedAt">When its request was sent, since the load started.</param>
/// <param name="EndedAt">When it ended, since the load started.</param>
/// <param name="FirstAudio">From its request to its first audio event; null when no audio came.</param>
/// <param name="Succeeded">Whether it ended with <c>done</c> and valid audio.</param>
internal readonly record struct TimelinePoint(TimeSpan StartedAt, TimeSpan EndedAt, TimeSpan? FirstAudio, bool Succeeded);
