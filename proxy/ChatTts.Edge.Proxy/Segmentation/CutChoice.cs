namespace ChatTts.Edge.Segmentation;

/// <summary>
/// The cut chosen so far among the breaks offered in order: the strongest, the latest of equally strong ones. Breaks that
/// would leave the segment shorter than the minimum are kept apart, used only when no other break is within the maximum.
/// </summary>
internal struct CutChoice(int minimumRunes)
{
    /// <summary>The best break that leaves the segment at least the minimum long.</summary>
    public SegmentBreak? Full { get; private set; }

    /// <summary>The best break that leaves it shorter.</summary>
    public SegmentBreak? Short { get; private set; }

    public void Offer(SegmentBreak offered)
    {
        if (offered.Runes >= minimumRunes)
        {
            Full = Better(Full, offered);
        }
        else
        {
            Short = Better(Short, offered);
        }
    }

    private static SegmentBreak Better(SegmentBreak? kept, SegmentBreak offered) =>
        kept is { } k && k.Strength > offered.Strength ? k : offered;
}
