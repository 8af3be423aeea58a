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

    /// <summary>True when the audio came from the replay cache instead of a GPU (<see cref="ReplayingSynthesis"/>).</summary>
    bool Cached => false;

    /// <summary>True when the caller is not charged the request's characters (a cache hit with <c>Edge:Cache:ChargeCharacters</c> false).</summary>
    bool FreeOfCharge => false;

    /// <summary>Runs the synthesis to its end; returns the number of <c>audio</c> events sent.</summary>
    ValueTask<long> ExecuteAsync(CancellationToken cancellationToken);
}

/// <summary>Chooses how a request is synthesized.</summary>
internal static class SpeechSynthesis
{
    /// <summary>
    /// A text that could be more than one segment (<see cref="SegmentPlan.MaySplit"/>) is sized to the fleet when it starts
    /// (<see cref="FleetSizedSynthesis"/>), unless <paramref name="split"/> is false; any other text is one <see cref="SynthesisRun"/>.
    /// Either is behind the replay cache when the request has a seed (<see cref="ReplayingSynthesis"/>).
    /// </summary>
    public static ISpeechSynthesis Create(SynthesisServices services, HttpContext context, ISegmentedOutput output, BackendRequest speech, int chunkMs, bool split)
    {
        var options = services.Segmentation;
        var seeded = speech.Seed is not null;
        var maySplit = split && SegmentPlan.MaySplit(speech.Text.Length, seeded, options) && SegmentPlan.MaySplit(speech.Text.EnumerateRunes().Count(), seeded, options);
        ISpeechSynthesis Synthesize(ISegmentedOutput to) => maySplit
            ? new FleetSizedSynthesis(services, context, to, speech, chunkMs)
            : new SynthesisRun(services, context, to, speech, chunkMs);
        return seeded && services.Replay.Options.Enabled
            ? new ReplayingSynthesis(services, output, speech, chunkMs, split, Synthesize)
            : Synthesize(output);
    }
}
