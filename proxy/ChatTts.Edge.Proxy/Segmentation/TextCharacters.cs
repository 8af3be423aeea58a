using System.Globalization;
using System.Text;

namespace ChatTts.Edge.Segmentation;

/// <summary>The classes of characters the segmenter decides on.</summary>
internal static class TextCharacters
{
    /// <summary>Ends a sentence wherever it stands: 。！？；…, the fullwidth full stop and the halfwidth ｡.</summary>
    public static bool IsWideTerminator(int c) => c is '。' or '！' or '？' or '；' or '．' or '｡' or '…' or '‥';

    /// <summary>Ends a sentence only before a space, the end of the text or CJK, or after CJK: <c>. ! ? ;</c>.</summary>
    public static bool IsTerminator(int c) => c is '.' or '!' or '?' or ';' || IsWideTerminator(c);

    /// <summary>Ends a clause wherever it stands: ，、： and dashes.</summary>
    public static bool IsWideClauseMark(int c) => c is '，' or '、' or '：' or '､' or '—' or '―';

    /// <summary>Ends a clause under the same conditions as a terminator: <c>, :</c>, and the wide marks.</summary>
    public static bool IsClauseMark(int c) => c is ',' or ':' || IsWideClauseMark(c);

    /// <summary>A space that must not break a line (no-break, figure and narrow no-break spaces).</summary>
    public static bool IsNoBreakSpace(int c) => c is '\u00A0' or '\u2007' or '\u202F';

    /// <summary>
    /// Han ideographs, kana, bopomofo, CJK symbols and punctuation, fullwidth forms: scripts written without spaces,
    /// where a sentence mark needs no space after it and a cut between two characters splits no word.
    /// </summary>
    public static bool IsCjk(Rune rune) => rune.Value is (>= 0x2E80 and <= 0x9FFF) // radicals, CJK punctuation, kana, bopomofo, ideographs
        or (>= 0xF900 and <= 0xFAFF)   // compatibility ideographs
        or (>= 0xFE30 and <= 0xFE4F)   // compatibility forms
        or (>= 0xFF00 and <= 0xFFEF)   // halfwidth and fullwidth forms
        or (>= 0x20000 and <= 0x3FFFF); // supplementary ideographs

    /// <summary>A mark that closes a quotation or a bracket: ” ’ 」 』 ） ) ] », and the ambiguous ASCII quotes.</summary>
    public static bool IsCloser(Rune rune) => rune.Value is '"' or '\''
        || Rune.GetUnicodeCategory(rune) is UnicodeCategory.ClosePunctuation or UnicodeCategory.FinalQuotePunctuation;

    /// <summary>A mark that opens a quotation or a bracket: “ ‘ 「 『 （ ( [ «.</summary>
    public static bool IsOpener(Rune rune) =>
        Rune.GetUnicodeCategory(rune) is UnicodeCategory.OpenPunctuation or UnicodeCategory.InitialQuotePunctuation;

    /// <summary>
    /// Belongs to the grapheme cluster before it: combining marks, variation selectors, the zero-width joiner and emoji
    /// skin-tone modifiers. A break is never put before one.
    /// </summary>
    public static bool IsExtender(Rune rune) => rune.Value is 0x200D or (>= 0x1F3FB and <= 0x1F3FF)
        || Rune.GetUnicodeCategory(rune) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark;

    /// <summary>Part of a word of a spaced script: a letter, digit, mark or apostrophe that is not CJK.</summary>
    public static bool IsWordCharacter(Rune rune) => !IsCjk(rune)
        && (Rune.IsLetterOrDigit(rune) || rune.Value is '\'' or '’' || Rune.GetUnicodeCategory(rune) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark);

    /// <summary>The rune starting at <paramref name="index"/> (U+FFFD for a lone surrogate) and its length in UTF-16.</summary>
    public static Rune RuneAt(ReadOnlySpan<char> text, int index, out int length)
    {
        Rune.DecodeFromUtf16(text[index..], out var rune, out length);
        return rune;
    }

    /// <summary>The rune starting at <paramref name="index"/>.</summary>
    public static Rune RuneAt(ReadOnlySpan<char> text, int index) => RuneAt(text, index, out _);

    /// <summary>The rune ending just before <paramref name="index"/>.</summary>
    public static Rune RuneBefore(ReadOnlySpan<char> text, int index)
    {
        Rune.DecodeLastFromUtf16(text[..index], out var rune, out _);
        return rune;
    }

    /// <summary>
    /// How many runes <paramref name="text"/> holds, as <see cref="string.EnumerateRunes"/> counts them: a surrogate pair
    /// once, a lone surrogate once.
    /// </summary>
    public static int RuneCount(ReadOnlySpan<char> text)
    {
        var count = text.Length;
        for (var i = 1; i < text.Length; i++)
        {
            if (ContinuesPair(text, i))
            {
                count--;
            }
        }

        return count;
    }

    /// <summary>Whether the character at <paramref name="index"/> is one that continues a surrogate pair (counts no rune).</summary>
    public static bool ContinuesPair(ReadOnlySpan<char> text, int index) =>
        index > 0 && char.IsLowSurrogate(text[index]) && char.IsHighSurrogate(text[index - 1]);
}
