using System.Collections.Frozen;

namespace ChatTts.Edge.Segmentation;

/// <summary>What a word ending in a full stop is, for deciding whether the stop ends the sentence.</summary>
internal enum AbbreviationKind
{
    /// <summary>Not an abbreviation recognised: the stop ends the sentence.</summary>
    None,

    /// <summary>
    /// Stands before what it qualifies (<c>Mr.</c>, <c>Dr.</c>, <c>e.g.</c>, <c>U.S.</c>, an initial as in
    /// <c>J. R. R. Tolkien</c>): the stop never ends the sentence, and the space after it is no place to cut either.
    /// </summary>
    Leading,

    /// <summary>
    /// May end a sentence (<c>etc.</c>, <c>a.m.</c>, <c>Inc.</c>): the stop ends it unless a lowercase word or a number
    /// follows.
    /// </summary>
    Trailing,
}

/// <summary>Recognises the English abbreviations whose full stop is not the end of a sentence.</summary>
internal static class Abbreviations
{
    private const int LongestWord = 8;

    private static readonly FrozenDictionary<string, AbbreviationKind>.AlternateLookup<ReadOnlySpan<char>> Known =
        new Dictionary<string, AbbreviationKind>(StringComparer.OrdinalIgnoreCase)
        {
            ["Mr"] = AbbreviationKind.Leading,
            ["Mrs"] = AbbreviationKind.Leading,
            ["Ms"] = AbbreviationKind.Leading,
            ["Mx"] = AbbreviationKind.Leading,
            ["Dr"] = AbbreviationKind.Leading,
            ["Prof"] = AbbreviationKind.Leading,
            ["St"] = AbbreviationKind.Leading,
            ["Mt"] = AbbreviationKind.Leading,
            ["Rev"] = AbbreviationKind.Leading,
            ["Fr"] = AbbreviationKind.Leading,
            ["Gen"] = AbbreviationKind.Leading,
            ["Gov"] = AbbreviationKind.Leading,
            ["Sen"] = AbbreviationKind.Leading,
            ["Rep"] = AbbreviationKind.Leading,
            ["Capt"] = AbbreviationKind.Leading,
            ["Col"] = AbbreviationKind.Leading,
            ["Lt"] = AbbreviationKind.Leading,
            ["Sgt"] = AbbreviationKind.Leading,
            ["Hon"] = AbbreviationKind.Leading,
            ["vs"] = AbbreviationKind.Leading,
            ["cf"] = AbbreviationKind.Leading,
            ["viz"] = AbbreviationKind.Leading,
            ["approx"] = AbbreviationKind.Leading,
            ["e.g"] = AbbreviationKind.Leading,
            ["i.e"] = AbbreviationKind.Leading,
            ["etc"] = AbbreviationKind.Trailing,
            ["al"] = AbbreviationKind.Trailing,
            ["Jr"] = AbbreviationKind.Trailing,
            ["Sr"] = AbbreviationKind.Trailing,
            ["Inc"] = AbbreviationKind.Trailing,
            ["Ltd"] = AbbreviationKind.Trailing,
            ["Co"] = AbbreviationKind.Trailing,
            ["Corp"] = AbbreviationKind.Trailing,
            ["Bros"] = AbbreviationKind.Trailing,
            ["a.m"] = AbbreviationKind.Trailing,
            ["p.m"] = AbbreviationKind.Trailing,
        }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase).GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>
    /// What the word ending at the full stop at <paramref name="dot"/> is. The word is the ASCII letters and inner stops
    /// back to a space, a bracket or a quote; a word glued to a digit (<c>1st.</c>) is none.
    /// </summary>
    public static AbbreviationKind Before(ReadOnlySpan<char> text, int dot)
    {
        var start = dot;
        while (start > 0 && dot - start < LongestWord && (char.IsAsciiLetter(text[start - 1]) || text[start - 1] == '.'))
        {
            start--;
        }

        if (start == dot || text[start] == '.' || (start > 0 && char.IsAsciiLetterOrDigit(text[start - 1])))
        {
            return AbbreviationKind.None;
        }

        var word = text[start..dot];
        if (Known.TryGetValue(word, out var kind))
        {
            return kind;
        }

        return IsInitials(word) ? AbbreviationKind.Leading : AbbreviationKind.None;
    }

    /// <summary><c>J</c>, <c>U.S</c>, <c>U.K</c>: capitals, each but the last followed by a stop. A lone <c>I</c> is the pronoun.</summary>
    private static bool IsInitials(ReadOnlySpan<char> word)
    {
        if (word is "I" || word.Length % 2 == 0)
        {
            return false;
        }

        for (var i = 0; i < word.Length; i++)
        {
            if (i % 2 == 0 ? !char.IsAsciiLetterUpper(word[i]) : word[i] != '.')
            {
                return false;
            }
        }

        return true;
    }
}
