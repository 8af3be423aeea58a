namespace ChatTts.Edge.Segmentation;

/// <summary>One piece of a long text, spoken by one backend call.</summary>
/// <param name="Index">The segment's place among the text's segments, from 0.</param>
/// <param name="Start">
/// Where <paramref name="Text"/> starts in the whole text, in Unicode characters (runes: a character outside the
/// Basic Multilingual Plane, such as an emoji, counts once), the unit the API counts a text's length in
/// (<c>text.EnumerateRunes().Count()</c>); not UTF-16 code units.
/// </param>
/// <param name="Text">
/// Exactly what is sent to the backend: the whole text's substring from <paramref name="Start"/>, without the whitespace
/// around it. Whitespace inside (a line break between two merged lines) is kept.
/// </param>
internal sealed record TextSegment(int Index, int Start, string Text);
