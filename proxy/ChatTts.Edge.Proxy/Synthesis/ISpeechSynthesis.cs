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
    /// A text longer than <see cref="SegmentationOptions.MaxSegmentCharacters"/> is split by sentence and spoken on
    /// several GPUs at once (unless <paramref name="split"/> is false); any other text is one <see cref="SynthesisRun"/>,
    /// behind the replay cache when it has a seed (<see cref="ReplayingSynthesis"/>).
    /// </summary>
    public static ISpeechSynthesis Create(SynthesisServices services, HttpContext context, ISegmentedOutput output, BackendRequest speech, int chunkMs, bool split)
    {
        var options = services.Segmentation;
        if (split && speech.Text.Length > options.MaxSegmentCharacters && speech.Text.EnumerateRunes().Count() > options.MaxSegmentCharacters)
        {
            var segments = TextSegmenter.Split(speech.Text, options.MaxSegmentCharacters, Math.Min(options.MinSegmentCharacters, options.MaxSegmentCharacters));
            if (segments.Count > 1)
            {
                return new SegmentedSynthesis(services, context, output, speech, segments, chunkMs);
            }
        }

        return speech.Seed is not null && services.Replay.Options.Enabled
            ? new ReplayingSynthesis(services, context, output, speech, chunkMs, split)
            : new SynthesisRun(services, context, output, speech, chunkMs);
    }
}
