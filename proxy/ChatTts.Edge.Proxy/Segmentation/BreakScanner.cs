namespace ChatTts.Edge.Segmentation;

/// <summary>
/// Finds, left to right, the places a segment may end at a space, a punctuation mark or a line break, each with its
/// <see cref="BreakStrength"/>. It looks back or ahead only a few characters (and remembers whether an ASCII quotation is
/// open), so it can start at any segment start. It stops at the first break past a limit, or once it has read past the
/// limit without finding one, so a segment never scans the whole rest of the text.
/// </summary>
/// <remarks>
/// A sentence ends after <c>. ! ? ; …</c> or <c>。！？；．</c> (a run of them, as in <c>?!</c>, <c>...</c> or <c>……</c>)
/// and the closing quotes and brackets right after them. An ASCII mark needs a space, the end of the text or CJK after it
/// (or CJK before it), which keeps <c>3.14</c>, <c>v2.0.1</c>, <c>10.0.0.1</c>, <c>1,000</c>, <c>10:30</c>, URLs and
/// e-mail addresses whole; a full stop after a recognised abbreviation (<see cref="Abbreviations"/>) ends nothing.
/// </remarks>
internal ref struct BreakScanner
{
    private readonly ReadOnlySpan<char> _text;
    private readonly int _limit;
    private int _index;
    private int _runes;
    private bool _quoteOpen;
    private bool _afterLeadingAbbreviation;

    /// <summary>
    /// Starts scanning <paramref name="text"/> (which ends where the segments end) at a segment start, up to
    /// <paramref name="limit"/> runes from the start of the text.
    /// </summary>
    public BreakScanner(ReadOnlySpan<char> text, int index, int runes, int limit)
    {
        _text = text;
        _index = index;
        _runes = runes;
        _limit = limit;
    }

    /// <summary>The runes before where the scanner stands.</summary>
    public readonly int Runes => _runes;

    /// <summary>Whether the scanner has read the whole text within the limit: the rest of it fits in one segment.</summary>
    public readonly bool RestFits => _index == _text.Length && _runes <= _limit;

    /// <summary>Finds the next break; false at the end of the text or past the limit.</summary>
    public bool TryNext(out SegmentBreak found)
    {
        while (_index < _text.Length && _runes <= _limit)
        {
            var c = _text[_index];
            if (char.IsWhiteSpace(c))
            {
                var (index, runes) = (_index, _runes);
                var gap = SkipWhitespace();
                var afterAbbreviation = _afterLeadingAbbreviation;
                _afterLeadingAbbreviation = false;
                if (gap is { } strength && !(strength == BreakStrength.Word && afterAbbreviation))
                {
                    found = new SegmentBreak(index, runes, strength);
                    return true;
                }
            }
            else if (TextCharacters.IsTerminator(c))
            {
                if (EndsSentence())
                {
                    found = Found(BreakStrength.Sentence);
                    return true;
                }
            }
            else if (TextCharacters.IsClauseMark(c))
            {
                if (EndsClause())
                {
                    found = Found(BreakStrength.Clause);
                    return true;
                }
            }
            else
            {
                if (c == '"')
                {
                    _quoteOpen = !_quoteOpen;
                }

                _runes += TextCharacters.ContinuesPair(_text, _index) ? 0 : 1;
                _index++;
            }
        }

        found = default;
        return false;
    }

    /// <summary>A break where the scanner stands after a mark, made stronger by a line break in the whitespace after it.</summary>
    private SegmentBreak Found(BreakStrength strength)
    {
        var (index, runes) = (_index, _runes);
        if (AtWhitespace(_index) && SkipWhitespace() is { } gap && gap > strength)
        {
            strength = gap;
        }

        return new SegmentBreak(index, runes, strength);
    }

    /// <summary>Skips a whitespace run: a blank line is a paragraph break, a line break a sentence break, a space a word break; no-break spaces alone are none.</summary>
    private BreakStrength? SkipWhitespace()
    {
        var lines = 0;
        var spaces = false;
        while (AtWhitespace(_index))
        {
            var c = _text[_index];
            if (c is '\n' or '\v' or '\f' or '\u0085' or '\u2028' || (c == '\r' && !(_index + 1 < _text.Length && _text[_index + 1] == '\n')))
            {
                lines++;
            }
            else if (c == '\u2029')
            {
                lines += 2;
            }
            else if (!TextCharacters.IsNoBreakSpace(c))
            {
                spaces = true;
            }

            _index++;
            _runes++;
        }

        return lines >= 2 ? BreakStrength.Paragraph
            : lines == 1 ? BreakStrength.Sentence
            : spaces ? BreakStrength.Word
            : null;
    }

    /// <summary>Reads a run of terminators and its closing marks; whether they end a sentence.</summary>
    private bool EndsSentence()
    {
        var start = _index;
        var wide = SkipRun(TextCharacters.IsTerminator, TextCharacters.IsWideTerminator);
        var single = _index - start == 1 ? _text[start] : '\0';
        if (single == '．' && IsDigitAt(start - 1) && IsDigitAt(start + 1))
        {
            return false; // ３．１４
        }

        SkipClosers();
        if (!wide && !AtGap(start))
        {
            return false;
        }

        switch (single == '.' ? Abbreviations.Before(_text, start) : AbbreviationKind.None)
        {
            case AbbreviationKind.Leading:
                _afterLeadingAbbreviation = AtWhitespace(_index);
                return false;
            case AbbreviationKind.Trailing when NextWordContinues():
                return false;
            default:
                return true;
        }
    }

    /// <summary>Reads a run of clause marks and its closing marks; whether they end a clause.</summary>
    private bool EndsClause()
    {
        var start = _index;
        var wide = SkipRun(TextCharacters.IsClauseMark, TextCharacters.IsWideClauseMark);
        SkipClosers();
        return wide || AtGap(start);
    }

    /// <summary>Skips the marks of one kind (all in the BMP) up to the limit; whether any of them is a wide one.</summary>
    private bool SkipRun(Func<int, bool> isMark, Func<int, bool> isWide)
    {
        var wide = false;
        while (_index < _text.Length && _runes <= _limit && isMark(_text[_index]))
        {
            wide |= isWide(_text[_index]);
            _index++;
            _runes++;
        }

        return wide;
    }

    /// <summary>
    /// Skips the closing quotes and brackets after a mark (<c>"Hi!" he said</c>, <c>“你好！”</c>), and any combining mark.
    /// An ASCII quote closes when a quotation is open or a space follows it; otherwise it opens the next sentence.
    /// </summary>
    private void SkipClosers()
    {
        while (_index < _text.Length && _runes <= _limit)
        {
            var rune = TextCharacters.RuneAt(_text, _index, out var length);
            if (rune.Value == '"')
            {
                if (!_quoteOpen && !EndsWordAt(_index + 1))
                {
                    return;
                }

                _quoteOpen = false;
            }
            else if (rune.Value == '\'' ? !EndsWordAt(_index + 1) : !TextCharacters.IsCloser(rune) && !TextCharacters.IsExtender(rune))
            {
                return;
            }

            _index += length;
            _runes++;
        }
    }

    /// <summary>Whether an ASCII mark that ran from <paramref name="start"/> to here stands at a gap: a space, the end, or CJK on either side.</summary>
    private readonly bool AtGap(int start) =>
        _index == _text.Length
        || char.IsWhiteSpace(_text[_index])
        || TextCharacters.IsCjk(TextCharacters.RuneAt(_text, _index))
        || (start > 0 && TextCharacters.IsCjk(TextCharacters.RuneBefore(_text, start)));

    /// <summary>Whether the next word (after the whitespace) starts in lowercase or with a digit, continuing the sentence.</summary>
    private readonly bool NextWordContinues()
    {
        var i = _index;
        while (AtWhitespace(i))
        {
            i++;
        }

        return i < _text.Length && (char.IsLower(_text[i]) || char.IsDigit(_text[i]));
    }

    private readonly bool EndsWordAt(int index) =>
        index == _text.Length || char.IsWhiteSpace(_text[index]) || TextCharacters.IsCloser(TextCharacters.RuneAt(_text, index));

    private readonly bool AtWhitespace(int index) => index < _text.Length && char.IsWhiteSpace(_text[index]);

    private readonly bool IsDigitAt(int index) => index >= 0 && index < _text.Length && char.IsDigit(_text[index]);
}
