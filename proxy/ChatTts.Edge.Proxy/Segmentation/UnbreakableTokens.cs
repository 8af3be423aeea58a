using System.Buffers;

namespace ChatTts.Edge.Segmentation;

/// <summary>
/// Finds the tokens a segment is never cut inside, even as a last resort: URLs, e-mail addresses and numbers, each with
/// the punctuation glued after it (<c>https://example.com/a.b?x=1.</c>, <c>3.5，</c>) so no segment starts with it.
/// </summary>
internal static class UnbreakableTokens
{
    /// <summary>How far into a run of URL characters a scheme (<c>://</c>) or an <c>@</c> is looked for.</summary>
    private const int SchemeWindow = 64;

    private static readonly SearchValues<char> UrlCharacters =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#[]@!$&'()*+,;=%");

    /// <summary>
    /// Where the token starting at <paramref name="index"/> ends, with the punctuation after it; <paramref name="index"/>
    /// itself when no token starts there. <paramref name="runStart"/> is where the caller started reading: a URL may start
    /// there or after a character that cannot be part of one.
    /// </summary>
    public static int End(ReadOnlySpan<char> text, int index, int runStart)
    {
        var c = text[index];
        if (UrlCharacters.Contains(c) && (index == runStart || !UrlCharacters.Contains(text[index - 1])) && UrlEnd(text, index) is var url && url > index)
        {
            return WithAttachedPunctuation(text, url);
        }

        return char.IsDigit(c) ? WithAttachedPunctuation(text, NumberEnd(text, index)) : index;
    }

    /// <summary>The end of the run of URL characters at <paramref name="index"/> when it has a scheme, starts with <c>www.</c> or is an e-mail address; else <paramref name="index"/>.</summary>
    private static int UrlEnd(ReadOnlySpan<char> text, int index)
    {
        var www = text[index..].StartsWith("www.", StringComparison.OrdinalIgnoreCase);
        var scheme = false;
        var at = -1;
        var end = index;
        for (; end < text.Length && UrlCharacters.Contains(text[end]); end++)
        {
            if (end - index >= SchemeWindow && !www && !scheme && at < 0)
            {
                return index; // a long word or a run of symbols, not a URL
            }

            if (text[end] == '@' && at < 0)
            {
                at = end;
            }
            else if (text[end] == ':' && text[(end + 1)..].StartsWith("//", StringComparison.Ordinal))
            {
                scheme = true;
            }
        }

        var email = at > index && text[(at + 1)..end].Contains('.');
        return www || scheme || email ? end : index;
    }

    /// <summary>Digits with single separators between them: <c>3.14</c>, <c>1,000.50</c>, <c>10.0.0.1</c>, <c>10:30</c>, <c>2024-01-31</c>.</summary>
    private static int NumberEnd(ReadOnlySpan<char> text, int index)
    {
        var end = index;
        while (true)
        {
            while (end < text.Length && char.IsDigit(text[end]))
            {
                end++;
            }

            if (end + 1 < text.Length && text[end] is '.' or ',' or ':' or '/' or '-' or '．' && char.IsDigit(text[end + 1]))
            {
                end++;
            }
            else
            {
                return end;
            }
        }
    }

    /// <summary>Moves past the sentence and clause marks, closing marks and combining marks right after a token.</summary>
    private static int WithAttachedPunctuation(ReadOnlySpan<char> text, int end)
    {
        while (end < text.Length)
        {
            var rune = TextCharacters.RuneAt(text, end, out var length);
            if (!TextCharacters.IsTerminator(rune.Value) && !TextCharacters.IsClauseMark(rune.Value) && !TextCharacters.IsCloser(rune) && !TextCharacters.IsExtender(rune))
            {
                return end;
            }

            end += length;
        }

        return end;
    }
}
