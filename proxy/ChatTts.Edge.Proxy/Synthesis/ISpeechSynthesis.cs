using ChatTts.Edge.Backends;
using ChatTts.Edge.Segmentation;
using ChatTts.Edge.Streaming;

namespace ChatTts.Edge.Synthesis;

/// <summary>One request's synthesis as its route sees it: one <see cref="SynthesisRun"/>, or a split long text (<see cref="SegmentedSynthesis"/>).</summary>
internal interface ISpeechSynthesis
{
    /// <summary>The destination of the latest attempt (of the first segment, for a split text).</summary>
    string? Backend { get; }

    /// <summary>That destination's dialect.</summary>
    string? Dialect { get; }

    /// <summary>Attempts made so far, every segment's together.</summary>
    int Attempts { get; }

    /// <summary>How many segments the text is spoken in; null when it is not split.</summary>
    int? Segments { get; }

    /// <summary>Runs the synthesis to its end; returns the number of <c>audio</c> events sent.</summary>
    ValueTask<long> ExecuteAsync(CancellationToken cancellationToken);
}

/// <summary>Chooses how a request is synthesized.</summary>
internal static class SpeechSynthesis
{
    /// <summary>
    /// A text that could be more than one segment (<see cref="SegmentPlan.MaySplit"/>) is sized to the fleet when it starts
    /// (<see cref="FleetSizedSynthesis"/>), unless <paramref name="split"/> is false; any other text is one <see cref="SynthesisRun"/>.
    /// </summary>
    public static ISpeechSynthesis Create(SynthesisServices services, HttpContext context, ISegmentedOutput output, BackendRequest speech, int chunkMs, bool split)
    {
        var options = services.Segmentation;
        return split && SegmentPlan.MaySplit(speech.Text.Length, options) && SegmentPlan.MaySplit(speech.Text.EnumerateRunes().Count(), options)
            ? new FleetSizedSynthesis(services, context, output, speech, chunkMs)
            : new SynthesisRun(services, context, output, speech, chunkMs);
    }
}
