using System.Globalization;
using System.Text;
using ChatTts.Edge.Segmentation;

namespace ChatTts.Edge.Tests.Segmentation;

public sealed class TextSegmenterTests
{
    [Theory]
    [InlineData("今天天气很好。我们去公园吧！你觉得怎么样？")]
    [InlineData("Hello, world.\nA second line… and \"quotes\".")]
    [InlineData("👨‍👩‍👧 https://example.com/a.b?x=1 3.14")]
    public void Split_TextWithinMax_IsOneSegmentUnchanged(string text)
    {
        var segment = Assert.Single(TextSegmenter.Split(text, text.Length, 10));

        Assert.Equal(new TextSegment(0, 0, text), segment);
    }

    [Fact]
    public void Split_SurroundingWhitespace_IsTrimmedAndStartPointsAtFirstKeptCharacter()
    {
        var segment = Assert.Single(TextSegmenter.Split(" \n\t\u3000Hello there. \n ", 100, 0));

        Assert.Equal(new TextSegment(0, 4, "Hello there."), segment);
    }

    [Fact]
    public void Split_EmojiBeforeSegment_StartCountsUnicodeCharactersNotUtf16Units()
    {
        var text = "😀 Hi. 😀 Yo.";

        var segments = TextSegmenter.Split(text, 5, 0);

        Assert.Equal([new TextSegment(0, 0, "😀 Hi."), new TextSegment(1, 6, "😀 Yo.")], segments);
        Assert.Equal(7, text.IndexOf("😀 Yo.", StringComparison.Ordinal)); // UTF-16 offset differs from the rune offset
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\n\t\u3000\r\n")]
    public void Split_EmptyOrWhitespace_ReturnsNoSegments(string text) =>
        Assert.Empty(TextSegmenter.Split(text, 10, 0));

    [Theory]
    [InlineData(0, 0)]
    [InlineData(10, -1)]
    [InlineData(10, 11)]
    public void Split_LimitsOutOfRange_Throw(int max, int min) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => TextSegmenter.Split("text", max, min));

    [Theory]
    [InlineData(8, "今天天气很好。|我们去公园吧！|你觉得怎么样？")]
    [InlineData(14, "今天天气很好。我们去公园吧！|你觉得怎么样？")]
    [InlineData(20, "今天天气很好。我们去公园吧！|你觉得怎么样？")]
    public void Split_ChineseSentences_EndAfterTerminatorsAndMergeUpToMax(int max, string expected) =>
        AssertSegments("今天天气很好。我们去公园吧！你觉得怎么样？", max, 0, expected);

    [Theory]
    [InlineData("“你好！”他说。「再见。」她走了。", 5, "“你好！”|他说。|「再见。」|她走了。")]
    [InlineData("\"Hi!\" he said. 'Bye.' She left.", 6, "\"Hi!\"|he|said.|'Bye.'|She|left.")]
    [InlineData("He said \"Stop.\" Then he left.", 15, "He said \"Stop.\"|Then he left.")]
    [InlineData("你好。\"我们\"走吧。", 4, "你好。|\"我们\"|走吧。")]
    public void Split_ClosingQuotesAfterTerminator_StayWithTheSentence(string text, int max, string expected) =>
        AssertSegments(text, max, 0, expected);

    [Theory]
    [InlineData("Mr. Smith met Dr. Jones.", 12, "Mr. Smith|met|Dr. Jones.")]
    [InlineData("J. R. R. Tolkien wrote it. Then he slept.", 18, "J. R. R. Tolkien|wrote it.|Then he slept.")]
    [InlineData("Fruit, e.g. apples. More.", 14, "Fruit,|e.g. apples.|More.")]
    [InlineData("Pens, paper etc. and ink. Done.", 20, "Pens,|paper etc. and ink.|Done.")]
    [InlineData("Pens, paper etc. Then ink.", 20, "Pens, paper etc.|Then ink.")]
    [InlineData("We met at 5 p.m. on Monday and left.", 22, "We met at 5 p.m. on|Monday and left.")]
    [InlineData("In the U.S. Army base.", 12, "In the|U.S. Army|base.")]
    [InlineData("So did I. Then we left.", 13, "So did I.|Then we left.")]
    public void Split_EnglishAbbreviations_AreNotSentenceEnds(string text, int max, string expected) =>
        AssertSegments(text, max, 0, expected);

    [Theory]
    [InlineData("Pi is 3.14 and costs 1,000.50 now. Next.", 20, "Pi is 3.14 and costs|1,000.50 now. Next.")]
    [InlineData("Version v2.0.1 runs on 10.0.0.1 at 10:30 today.", 30, "Version v2.0.1 runs on|10.0.0.1 at 10:30 today.")]
    [InlineData("See https://example.com/a.b?x=1 and www.example.org, or mail alice@example.com. Thanks!", 40,
        "See https://example.com/a.b?x=1 and|www.example.org,|or mail alice@example.com. Thanks!")]
    [InlineData("Mail alice@example.com now. Or visit www.example.org today.", 27, "Mail alice@example.com now.|Or visit www.example.org|today.")]
    [InlineData("圆周率是３．１４。很好。", 8, "圆周率是|３．１４。很好。")]
    public void Split_NumbersUrlsAndEmails_AreNeverCutInside(string text, int max, string expected) =>
        AssertSegments(text, max, 0, expected);

    [Theory]
    [InlineData("Wait... I think so… Yes. Fine.", 12, "Wait...|I think so…|Yes. Fine.")]
    [InlineData("我想想……好吧。那走吧。", 6, "我想想……|好吧。|那走吧。")]
    [InlineData("Really?! Yes!!! OK.", 9, "Really?!|Yes!!!|OK.")]
    public void Split_EllipsesAndRunsOfTerminators_EndOneSentence(string text, int max, string expected) =>
        AssertSegments(text, max, 0, expected);

    [Theory]
    [InlineData("ChatTTS 是一个文本转语音模型。It supports English too! 价格是 3.5 元。", 24,
        "ChatTTS 是一个文本转语音模型。|It supports English too!|价格是 3.5 元。")]
    [InlineData("今天很好.我们走吧!Okay then.", 6, "今天很好.|我们走吧!|Okay|then.")]
    [InlineData("我们使用ChatTTS模型来合成", 7, "我们使用|ChatTTS|模型来合成")]
    public void Split_MixedChineseAndEnglish_CutsAtEitherScriptsBoundaries(string text, int max, string expected) =>
        AssertSegments(text, max, 0, expected);

    [Theory]
    [InlineData("One. Two.\n\nThree. Four.", 20, "One. Two.|Three. Four.")]
    [InlineData("One.\r\n\r\nTwo. Three.", 12, "One.|Two. Three.")]
    [InlineData("A heading\nthe body goes on here", 15, "A heading|the body goes|on here")]
    public void Split_BlankLinesAndLineBreaks_AreBoundariesABlankLineTheStrongest(string text, int max, string expected) =>
        AssertSegments(text, max, 0, expected);

    [Fact]
    public void Split_LineBreakInsideMergedSegment_IsKept()
    {
        var segments = TextSegmenter.Split("Line one.\nLine two.\n\nNext paragraph here.", 20, 0);

        Assert.Equal(["Line one.\nLine two.", "Next paragraph here."], Texts(segments));
    }

    [Theory]
    [InlineData("This sentence is long, it has a comma, and it keeps going on.", 40, "This sentence is long, it has a comma,|and it keeps going on.")]
    [InlineData("我们今天去公园，然后去超市，最后回家吃饭睡觉。", 10, "我们今天去公园，|然后去超市，|最后回家吃饭睡觉。")]
    [InlineData("苹果、香蕉、橙子和葡萄都很好吃", 6, "苹果、香蕉、|橙子和葡萄都|很好吃")]
    [InlineData("Note: this part — and that one — stay apart", 12, "Note:|this part —|and that one|— stay apart")]
    [InlineData("The quick brown fox jumps over the lazy dog", 20, "The quick brown fox|jumps over the lazy|dog")]
    public void Split_OverlongSentence_IsCutAtTheLastWeakerBoundaryBeforeMax(string text, int max, string expected) =>
        AssertSegments(text, max, 0, expected);

    [Theory]
    [InlineData("Wait 10\u00A0km now", 8, "Wait|10\u00A0km|now")]
    [InlineData("Dear Mr.\u00A0Smith and all", 12, "Dear|Mr.\u00A0Smith|and all")]
    public void Split_NoBreakSpace_IsNoPlaceToCut(string text, int max, string expected) =>
        AssertSegments(text, max, 0, expected);

    [Fact]
    public void Split_RunOnChineseWithoutPunctuation_IsCutBetweenCharactersAtMax()
    {
        const string Characters = "天地玄黄宇宙洪荒日月盈昃辰宿列张寒来暑往秋收冬藏";
        var text = string.Concat(Enumerable.Range(0, 2000).Select(i => Characters[i % Characters.Length]));

        var segments = TextSegmenter.Split(text, 100, 50);

        Assert.Equal(20, segments.Count);
        Assert.All(segments, s => Assert.Equal(100, s.Text.Length));
        Assert.Equal(text, string.Concat(Texts(segments)));
        Assert.Equal(Enumerable.Range(0, 20).Select(i => i * 100), segments.Select(s => s.Start));
    }

    [Fact]
    public void Split_OnlyShortSentences_AreMergedUpToMax() =>
        AssertSegments("Hi. Yo. Ok. No. Go.", 7, 0, "Hi. Yo.|Ok. No.|Go.");

    [Theory]
    [InlineData(0, "Hi.|This sentence is quite a bit|longer, and goes on.")]
    [InlineData(10, "Hi. This sentence is quite a|bit longer, and goes on.")]
    public void Split_MinSegmentCharacters_AvoidsAShortSegmentWhenAnotherCutFits(int min, string expected) =>
        AssertSegments("Hi. This sentence is quite a bit longer, and goes on.", 30, min, expected);

    [Fact]
    public void Split_UnbreakableTokenAfterShortSentence_LeavesItShorterThanMin() =>
        AssertSegments("Hi. https://example.com/abcdefghijklmnopqrstuvwxyz", 20, 10, "Hi.|https://example.com/abcdefghijklmnopqrstuvwxyz");

    [Theory]
    [InlineData("internationalization", 5, "inter|natio|naliz|ation")]
    [InlineData("Supercalifragilistic is long.", 8, "Supercal|ifragili|stic is|long.")]
    public void Split_MaxSmallerThanAWord_CutsTheWordBetweenLetters(string text, int max, string expected) =>
        AssertSegments(text, max, 0, expected);

    [Theory]
    [InlineData("See https://example.com/a/b/c. Next one.", 10, "See|https://example.com/a/b/c.|Next one.")]
    [InlineData("Write to alice.liddell@example.com today.", 8, "Write to|alice.liddell@example.com|today.")]
    [InlineData("Call 12345678901234 now.", 6, "Call|12345678901234|now.")]
    [InlineData("价格是3.14159265元。", 4, "价格是|3.14159265|元。")]
    public void Split_UnbreakableTokenLongerThanMax_IsKeptWholeAsItsOwnSegment(string text, int max, string expected) =>
        AssertSegments(text, max, 0, expected);

    [Fact]
    public void Split_ZwjSequences_AreNeverSplit()
    {
        var text = string.Concat(Enumerable.Repeat("👨‍👩‍👧", 10)); // 5 runes each

        var segments = TextSegmenter.Split(text, 12, 0);

        Assert.Equal(Enumerable.Repeat("👨‍👩‍👧👨‍👩‍👧", 5), Texts(segments));
    }

    [Fact]
    public void Split_EmojiLongerThanMax_IsOneSegmentOfItsOwn() =>
        AssertSegments("Hi 👨‍👩‍👧 you", 3, 0, "Hi|👨‍👩‍👧|you");

    [Theory]
    [InlineData("好🇨🇳好👍🏽好1️⃣好", 3, "好🇨🇳|好👍🏽|好|1️⃣|好")]
    [InlineData("🇨🇳🇺🇸🇯🇵🇫🇷", 3, "🇨🇳|🇺🇸|🇯🇵|🇫🇷")]
    [InlineData("e\u0301e\u0301e\u0301", 3, "e\u0301|e\u0301|e\u0301")]
    [InlineData("Great!👍🏽 Next one.", 9, "Great!👍🏽|Next one.")]
    public void Split_FlagsSkinTonesKeycapsAndCombiningMarksAtCutPoints_StayWhole(string text, int max, string expected) =>
        AssertSegments(text, max, 0, expected);

    [Fact]
    public void Split_RandomTexts_KeepEveryInvariant()
    {
        var random = new Random(20_240_601);
        for (var round = 0; round < 3000; round++)
        {
            var text = RandomText(random, random.Next(0, 120));
            var max = random.Next(1, 60);
            var min = random.Next(0, max + 1);

            AssertInvariants(text, max, min, TextSegmenter.Split(text, max, min));
        }
    }

    [Fact]
    public void Split_HundredThousandCharacters_KeepsEveryInvariant()
    {
        var random = new Random(7);
        var text = RandomText(random, 40_000);
        Assert.True(text.Length > 100_000);

        AssertInvariants(text, 200, 50, TextSegmenter.Split(text, 200, 50));
    }

    [Theory]
    [InlineData("a")]
    [InlineData("。")]
    [InlineData("1")]
    [InlineData(" a")]
    [InlineData("a,")]
    [InlineData("👍🏽")]
    public void Split_HundredThousandRepetitions_KeepsEveryInvariant(string unit)
    {
        var text = string.Concat(Enumerable.Repeat(unit, 100_000));

        AssertInvariants(text, 200, 50, TextSegmenter.Split(text, 200, 50));
    }

    private static readonly string[] Fragments =
    [
        "天", "地", "你", "好", "hello", "world", "internationalization", "a", "I",
        ".", "!", "?", ";", "…", "。", "！", "？", "；", "，", "、", ",", ":", "：", "—", "...", "……",
        "\"", "'", "“", "”", "「", "」", "(", ")", "’",
        " ", " ", " ", " ", "\n", "\n\n", "\r\n", "\t", "\u3000", "\u00A0",
        "3.14", "1,000.50", "10.0.0.1", "10:30", "12345678901234567890",
        "https://example.com/a.b?x=1", "www.example.org", "alice@example.com",
        "Mr.", "Dr.", "e.g.", "etc.", "U.S.", "J.", "a.m.",
        "👨‍👩‍👧", "👍🏽", "🇨🇳", "1️⃣", "😀", "e\u0301", "３．１４", "\uD800", "\uDC00",
    ];

    private static string RandomText(Random random, int fragments)
    {
        var text = new StringBuilder();
        for (var i = 0; i < fragments; i++)
        {
            text.Append(Fragments[random.Next(Fragments.Length)]);
        }

        return text.ToString();
    }

    private static void AssertSegments(string text, int max, int min, string expected)
    {
        var segments = TextSegmenter.Split(text, max, min);

        Assert.Equal(expected.Split('|'), Texts(segments));
        AssertInvariants(text, max, min, segments);
    }

    private static string[] Texts(IReadOnlyList<TextSegment> segments) => segments.Select(s => s.Text).ToArray();

    /// <summary>
    /// What must hold for every text and limits: see <see cref="TextSegmenter"/>. <paramref name="wholeWhenItFits"/>: a text
    /// within the maximum is one segment (not so when it is cut into a number of segments).
    /// </summary>
    internal static void AssertInvariants(string text, int max, int min, IReadOnlyList<TextSegment> segments, bool wholeWhenItFits = true)
    {
        var utf16 = Utf16Offsets(text);
        var graphemes = new HashSet<int>(StringInfo.ParseCombiningCharacters(text)) { text.Length };
        var rebuilt = new StringBuilder();
        var end = 0;
        for (var i = 0; i < segments.Count; i++)
        {
            var segment = segments[i];
            var start = utf16[segment.Start];
            var runes = segment.Text.EnumerateRunes().Count();

            Assert.Equal(i, segment.Index);
            Assert.True(start >= end, $"segment {i} overlaps the one before");
            Assert.True(string.IsNullOrWhiteSpace(text[end..start]), $"text before segment {i} is dropped: \"{text[end..start]}\"");
            Assert.Equal(text.Substring(start, segment.Text.Length), segment.Text);
            Assert.False(string.IsNullOrEmpty(segment.Text));
            Assert.False(char.IsWhiteSpace(segment.Text[0]) || char.IsWhiteSpace(segment.Text[^1]), $"segment {i} is not trimmed");
            Assert.True(graphemes.Contains(start) && graphemes.Contains(start + segment.Text.Length), $"segment {i} cuts a grapheme cluster: \"{segment.Text}\"");
            Assert.True(runes <= max || IsOneUnbreakableToken(segment.Text), $"segment {i} is {runes} long (max {max}): \"{segment.Text}\"");
            if (runes < min && i < segments.Count - 1)
            {
                AssertNoCutBetween(text, utf16, segment.Start + min, segment.Start + max);
            }

            rebuilt.Append(text[end..start]).Append(segment.Text);
            end = start + segment.Text.Length;
        }

        Assert.True(string.IsNullOrWhiteSpace(text[end..]), "the end of the text is dropped");
        Assert.Equal(text, rebuilt.Append(text[end..]).ToString());
        if (wholeWhenItFits && text.Trim().EnumerateRunes().Count() <= max && text.Trim().Length > 0)
        {
            Assert.Equal(text.Trim(), Assert.Single(segments).Text);
        }
    }

    /// <summary>A segment shorter than the minimum, not the last, had no cut within its minimum and maximum: no space after a word, no two ideographs.</summary>
    private static void AssertNoCutBetween(string text, int[] utf16, int fromRune, int toRune)
    {
        for (var rune = fromRune; rune <= toRune && rune < utf16.Length - 1; rune++)
        {
            var at = utf16[rune];
            Assert.False(
                (!char.IsWhiteSpace(text[at - 1]) && char.IsWhiteSpace(text[at])) || (IsIdeograph(text[at - 1]) && IsIdeograph(text[at])),
                $"a segment was left shorter than the minimum though a cut at {rune} was possible");
        }
    }

    private static bool IsIdeograph(char c) => c is >= '\u4E00' and <= '\u9FFF';

    private static bool IsOneUnbreakableToken(string segment) =>
        !segment.Any(char.IsWhiteSpace)
        && (StringInfo.ParseCombiningCharacters(segment).Length == 1
            || segment.Contains("://", StringComparison.Ordinal)
            || segment.StartsWith("www.", StringComparison.OrdinalIgnoreCase)
            || segment.Contains('@', StringComparison.Ordinal)
            || char.IsDigit(segment[0]));

    /// <summary>The UTF-16 offset of each rune offset, and of the end.</summary>
    private static int[] Utf16Offsets(string text)
    {
        var offsets = new List<int>(text.Length + 1);
        var index = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            offsets.Add(index);
            index += rune.Utf16SequenceLength;
        }

        offsets.Add(index);
        return offsets.ToArray();
    }
}
