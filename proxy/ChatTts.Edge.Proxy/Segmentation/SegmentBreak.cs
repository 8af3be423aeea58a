namespace ChatTts.Edge.Segmentation;

/// <summary>How good a place is to end a segment. A stronger break is preferred to a later one.</summary>
internal enum BreakStrength
{
    /// <summary>Between a character and the punctuation that belongs to it: before a closing mark, after an opening one.</summary>
    Attached,

    /// <summary>Inside a word of a spaced script (Latin, Cyrillic…), between two grapheme clusters.</summary>
    InsideWord,

    /// <summary>Between grapheme clusters that are not one word: CJK characters, emoji, a change of script.</summary>
    Character,

    /// <summary>Before a space.</summary>
    Word,

    /// <summary>After a comma, 、, a colon or a dash, and the closing marks that follow it.</summary>
    Clause,

    /// <summary>After a sentence terminator and the closing marks that follow it, or at a line break.</summary>
    Sentence,

    /// <summary>At a blank line.</summary>
    Paragraph,
}

/// <summary>A place a segment may end.</summary>
/// <param name="Index">The UTF-16 offset the segment ends at (exclusive).</param>
/// <param name="Runes">The same place counted in Unicode characters (runes).</param>
/// <param name="Strength">How good a place it is.</param>
internal readonly record struct SegmentBreak(int Index, int Runes, BreakStrength Strength);
