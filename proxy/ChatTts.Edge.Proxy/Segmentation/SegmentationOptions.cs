using System.ComponentModel.DataAnnotations;

namespace ChatTts.Edge.Segmentation;

/// <summary>
/// Section <c>Edge:Segmentation</c>: how a long text is split into sentence-sized segments, spoken on several GPUs at once
/// and streamed in order. A request turns it off with <c>split=false</c>.
/// </summary>
internal sealed class SegmentationOptions
{
    public const string SectionName = "Edge:Segmentation";

    /// <summary>
    /// The longest segment, in Unicode characters: a text longer than this is always split at sentence boundaries (weaker
    /// ones inside an over-long sentence); a shorter one is split between sentences only when GPUs are free for its
    /// segments (<see cref="SegmentPlan"/>).
    /// </summary>
    [Range(1, 100_000)]
    public int MaxSegmentCharacters { get; set; } = SegmentationDefaults.MaxSegmentCharacters;

    /// <summary>
    /// Short sentences are merged until a segment has at least this many characters (the last may be shorter); a text is
    /// cut into no more segments than keeps them this long on average.
    /// </summary>
    [Range(0, 100_000)]
    public int MinSegmentCharacters { get; set; } = SegmentationDefaults.MinSegmentCharacters;

    /// <summary>Most segments of one request synthesizing at once (each on its own GPU slot). 1 speaks them one after another.</summary>
    [Range(1, 64)]
    public int MaxParallel { get; set; } = SegmentationDefaults.MaxParallel;

    /// <summary>
    /// Most audio of one request held in memory while it waits for its turn (segments that finished before the ones
    /// ahead of them); a later segment does not start while this much waits (24 kHz 16-bit mono: 48 000 bytes a second).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan MaxBufferedAudio { get; set; } = SegmentationDefaults.MaxBufferedAudio;
}

/// <summary>Defaults of <see cref="SegmentationOptions"/>, in one place.</summary>
internal static class SegmentationDefaults
{
    /// <summary>
    /// A few sentences (about 25 s of English speech) a segment: long enough that 1,000 characters fill four GPUs in one
    /// round (each segment pays the GPU's first-audio delay), short enough for ChatTTS, which speaks short utterances best.
    /// </summary>
    public const int MaxSegmentCharacters = 300;

    public const int MinSegmentCharacters = 40;

    public const int MaxParallel = 4;

    /// <summary>2 minutes: 5.5 MiB of PCM a request at most.</summary>
    public static readonly TimeSpan MaxBufferedAudio = TimeSpan.FromMinutes(2);
}
