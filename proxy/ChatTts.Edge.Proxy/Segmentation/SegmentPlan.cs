namespace ChatTts.Edge.Segmentation;

/// <summary>
/// How a text is split for the fleet that speaks it: the one rule.
/// <list type="number">
/// <item>The GPUs it can use at once: the free slots that could take its segments now, at least 1 and at most
/// <see cref="SegmentationOptions.MaxParallel"/>.</item>
/// <item>The fewest segments within <see cref="SegmentationOptions.MaxSegmentCharacters"/> (as <see cref="TextSegmenter"/>
/// cuts at that maximum), rounded up to a whole number
/// of rounds on those GPUs (each GPU pays its first-audio delay once a segment, so a round is as slow as its longest
/// segment, and a half-empty round wastes GPUs), but no more segments than keeps each at least
/// <see cref="SegmentationOptions.MinSegmentCharacters"/> long.</item>
/// <item>That many near-equal segments (<see cref="TextSegmenter.Split(string, int, int, int)"/>): between sentences
/// only, so a text gets fewer when its sentences do not allow that many, or when the last would be a scrap shorter than
/// the minimum.</item>
/// </list>
/// A 1,000-character text with four GPUs free: four segments of about 250 characters, one round. Alone on one GPU:
/// the fewest within the maximum. 2,000 characters on four: eight of about 250, two rounds.
/// </summary>
internal static class SegmentPlan
{
    /// <summary>
    /// Whether a text this long can be more than one segment: longer than the maximum, or long enough for two. A
    /// <paramref name="seeded"/> request's split depends on its text alone (<see cref="Deterministic"/>), so the same
    /// request always gets the same audio: only a text longer than the maximum is split.
    /// </summary>
    public static bool MaySplit(int characters, bool seeded, SegmentationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return characters > options.MaxSegmentCharacters || (!seeded && characters >= 2 * Math.Max(options.MinSegmentCharacters, 1));
    }

    /// <summary>The free slots a seeded request's split is planned for, whatever the fleet does: one, i.e. the fewest segments.</summary>
    public const int Deterministic = 1;

    /// <summary>
    /// How many segments a text of <paramref name="characters"/> is cut into when the maximum alone needs
    /// <paramref name="fewest"/> and <paramref name="freeSlots"/> GPU slots could take them now.
    /// </summary>
    public static int Count(int characters, int fewest, int freeSlots, SegmentationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var parallel = Math.Clamp(freeSlots, 1, options.MaxParallel);
        var filled = Ceiling(Math.Max(fewest, 1), parallel) * parallel;
        var most = Math.Max(1, characters / Math.Max(options.MinSegmentCharacters, 1));
        return Math.Max(fewest, Math.Min(filled, most));
    }

    /// <summary>The segments of <paramref name="text"/> when <paramref name="freeSlots"/> GPU slots could take them now.</summary>
    public static IReadOnlyList<TextSegment> Split(string text, int freeSlots, SegmentationOptions options)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(options);
        var (max, min) = (options.MaxSegmentCharacters, Math.Min(options.MinSegmentCharacters, options.MaxSegmentCharacters));
        var fewest = TextSegmenter.Split(text, max, min).Count;
        return TextSegmenter.Split(text, Count(TextCharacters.RuneCount(text.AsSpan().Trim()), fewest, freeSlots, options), max, min);
    }

    private static int Ceiling(int value, int divisor) => (value + divisor - 1) / divisor;
}
