using System.Globalization;

namespace ChatTts.Edge.Segmentation;

/// <summary>
/// The last resort for a stretch with no space or punctuation to cut at (a run-on CJK sentence, a word longer than the
/// maximum): offers the boundaries between grapheme clusters (<see cref="StringInfo"/> text elements), so no cut falls
/// inside a surrogate pair, a combining sequence or an emoji sequence (👨‍👩‍👧, 👍🏽, 🇨🇳, 1️⃣), nor inside an
/// <see cref="UnbreakableTokens">unbreakable token</see>.
/// </summary>
internal static class GraphemeBreaks
{
    /// <summary>
    /// Offers each allowed boundary after the segment start (<paramref name="index"/>, <paramref name="runes"/>) up to
    /// <paramref name="limit"/> runes, and returns the first one past it: where a segment ends that holds an unbreakable
    /// token longer than the maximum. The end of the text when there is none.
    /// </summary>
    public static SegmentBreak Offer(ReadOnlySpan<char> text, int index, int runes, int limit, ref CutChoice choice)
    {
        var start = index;
        var tokenEnd = index;
        while (index < text.Length)
        {
            if (index >= tokenEnd)
            {
                tokenEnd = UnbreakableTokens.End(text, index, start);
            }

            var next = tokenEnd > index ? tokenEnd : index + StringInfo.GetNextTextElementLength(text[index..]);
            runes += TextCharacters.RuneCount(text[index..next]);
            index = next;
            if (index == text.Length || char.IsWhiteSpace(text[index - 1]))
            {
                continue;
            }

            var found = new SegmentBreak(index, runes, Strength(text, index));
            if (runes > limit)
            {
                return found;
            }

            choice.Offer(found);
        }

        return new SegmentBreak(text.Length, runes, BreakStrength.Paragraph);
    }

    private static BreakStrength Strength(ReadOnlySpan<char> text, int index)
    {
        var before = TextCharacters.RuneBefore(text, index);
        var after = TextCharacters.RuneAt(text, index);
        if (TextCharacters.IsCloser(after) || TextCharacters.IsTerminator(after.Value) || TextCharacters.IsClauseMark(after.Value)
            || TextCharacters.IsNoBreakSpace(after.Value) || TextCharacters.IsOpener(before))
        {
            return BreakStrength.Attached;
        }

        return TextCharacters.IsWordCharacter(before) && TextCharacters.IsWordCharacter(after) ? BreakStrength.InsideWord : BreakStrength.Character;
    }
}
