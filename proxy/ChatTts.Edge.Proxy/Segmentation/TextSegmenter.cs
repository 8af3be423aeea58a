namespace ChatTts.Edge.Segmentation;

/// <summary>
/// Splits a long text into the segments the backends speak one after another, at the strongest boundary that keeps each
/// segment within the maximum: a blank line, then a sentence end (<c>. ! ? ; …</c>, <c>。！？；</c>, a line break), then a
/// clause mark (<c>, :</c>, <c>，、：</c>, a dash), then a space, and as a last resort a grapheme cluster boundary, never
/// inside a URL, an e-mail address, a number or an emoji sequence. Short sentences are merged: the latest of the
/// strongest boundaries is taken, so a segment holds as many whole sentences as fit.
/// </summary>
/// <remarks>
/// <para>
/// Lengths count Unicode characters (runes), as the API counts the text. Whitespace between segments is dropped from both
/// sides; everything else is kept exactly, so the segments and the whitespace between them give back the text.
/// </para>
/// <para>
/// A segment is at most <c>maxSegmentCharacters</c> long, except one that is a single unbreakable token longer than
/// that (with the punctuation glued to it): a URL, an e-mail address, a number or one grapheme cluster. It is kept whole
/// as a segment of its own. A segment is at least <c>minSegmentCharacters</c> long, except the last, and one followed by
/// such a token (or a whitespace run) that leaves no allowed cut between the minimum and the maximum.
/// </para>
/// <para>
/// Linear in the text's length, allocating only the segments: each segment scans at most the maximum ahead of its start
/// (whitespace runs and unbreakable tokens to their end). A stretch is scanned again only when the cut falls before it,
/// and consecutive cuts that fall early are each of a weaker kind than the one before, so that happens a bounded number
/// of times.
/// </para>
/// </remarks>
internal static class TextSegmenter
{
    /// <summary>Splits <paramref name="text"/>; no segments when it is empty or whitespace.</summary>
    /// <param name="text">The request's text.</param>
    /// <param name="maxSegmentCharacters">The longest segment, in Unicode characters; at least 1.</param>
    /// <param name="minSegmentCharacters">
    /// The shortest segment worth a backend call, in Unicode characters: a cut that leaves a shorter one is taken only
    /// when there is no other; from 0 to <paramref name="maxSegmentCharacters"/>.
    /// </param>
    public static IReadOnlyList<TextSegment> Split(string text, int maxSegmentCharacters, int minSegmentCharacters)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSegmentCharacters, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(minSegmentCharacters);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minSegmentCharacters, maxSegmentCharacters);

        var segments = new List<TextSegment>();
        Cut(text, maxSegmentCharacters, minSegmentCharacters, segments, minSegmentCharacters);
        return segments;
    }

    /// <summary>
    /// Splits <paramref name="text"/> into about <paramref name="count"/> segments of near-equal length: the shortest
    /// maximum length (at most <paramref name="maxSegmentCharacters"/>) with which <see cref="Split"/> makes no more than
    /// <paramref name="count"/> segments, cuts inside no more sentences than it does with the maximum itself, and leaves the
    /// last segment shorter than the minimum only if the maximum does. So a text is cut into more segments only between
    /// sentences; over-long sentences are cut at weaker boundaries as always. Fewer segments come out when the sentences
    /// do not allow that many (or the last would be a scrap, taking a GPU for a few words); more when the maximum needs more.
    /// </summary>
    public static IReadOnlyList<TextSegment> Split(string text, int count, int maxSegmentCharacters, int minSegmentCharacters)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSegmentCharacters, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(minSegmentCharacters);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minSegmentCharacters, maxSegmentCharacters);

        var widest = Cut(text, maxSegmentCharacters, minSegmentCharacters, into: null, minSegmentCharacters);
        var longest = maxSegmentCharacters;
        for (var wanted = count; wanted >= Math.Max(widest.Segments, 1); wanted--)
        {
            // A last segment of a few words takes a GPU for nothing: one segment fewer, then.
            var (balanced, shortLast) = Balance(text, wanted, maxSegmentCharacters, minSegmentCharacters, widest.InsideSentences);
            if (!shortLast || widest.ShortLast)
            {
                longest = balanced;
                break;
            }
        }

        var segments = new List<TextSegment>();
        Cut(text, longest, Math.Min(minSegmentCharacters, longest), segments, minSegmentCharacters);
        return segments;
    }

    /// <summary>The shortest maximum that still gives at most <paramref name="count"/> segments without cutting inside more sentences.</summary>
    private static (int Longest, bool ShortLast) Balance(string text, int count, int max, int min, int insideSentences)
    {
        var (low, high) = (Math.Max(1, (TextCharacters.RuneCount(text.AsSpan().Trim()) + count - 1) / count), max);
        var shortLast = false;
        while (low < high)
        {
            var middle = low + ((high - low) / 2);
            var trial = Cut(text, middle, Math.Min(min, middle), into: null, min);
            if (trial.Segments <= count && trial.InsideSentences <= insideSentences)
            {
                (high, shortLast) = (middle, trial.ShortLast);
            }
            else
            {
                low = middle + 1;
            }
        }

        return (high, shortLast);
    }

    /// <summary>
    /// Cuts the text into segments (added to <paramref name="into"/> when given); how many, how many cuts fall inside a
    /// sentence, and whether the last of several is shorter than <paramref name="scrap"/>.
    /// </summary>
    private static (int Segments, int InsideSentences, bool ShortLast) Cut(string text, int max, int min, List<TextSegment>? into, int scrap)
    {
        var spoken = text.AsSpan().TrimEnd();
        var (count, inside, last) = (0, 0, 0);
        var (index, runes) = SkipWhitespace(spoken, 0, 0);
        while (index < spoken.Length)
        {
            var cut = NextCut(spoken, index, runes, max, min);
            into?.Add(new TextSegment(count, runes, text[index..cut.Index]));
            count++;
            inside += cut.Strength < BreakStrength.Sentence ? 1 : 0;
            last = cut.Runes - runes;
            (index, runes) = SkipWhitespace(spoken, cut.Index, cut.Runes);
        }

        return (count, inside, count > 1 && last < scrap);
    }

    /// <summary>Where the segment starting at <paramref name="index"/> ends.</summary>
    private static SegmentBreak NextCut(ReadOnlySpan<char> text, int index, int runes, int max, int min)
    {
        var limit = runes + max;
        var choice = new CutChoice(runes + Math.Max(min, 1));
        var scanner = new BreakScanner(text, index, runes, limit);
        while (scanner.TryNext(out var found) && found.Runes <= limit)
        {
            choice.Offer(found);
        }

        if (scanner.RestFits)
        {
            return new SegmentBreak(text.Length, scanner.Runes, BreakStrength.Paragraph);
        }

        if (choice.Full is { } full)
        {
            return full;
        }

        var overlong = GraphemeBreaks.Offer(text, index, runes, limit, ref choice);
        return choice.Full ?? choice.Short ?? overlong;
    }

    /// <summary>Moves past whitespace (all of it in the BMP: one rune a character).</summary>
    private static (int Index, int Runes) SkipWhitespace(ReadOnlySpan<char> text, int index, int runes)
    {
        while (index < text.Length && char.IsWhiteSpace(text[index]))
        {
            index++;
            runes++;
        }

        return (index, runes);
    }
}
