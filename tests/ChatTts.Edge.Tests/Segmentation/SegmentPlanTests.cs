using ChatTts.Edge.Segmentation;

namespace ChatTts.Edge.Tests.Segmentation;

/// <summary>How a text is sized to the fleet: how many segments for the GPU slots free, and where the near-equal cuts fall.</summary>
public sealed class SegmentPlanTests
{
    private const string Chinese = "今天天气很好。我们去公园散步吧！你觉得怎么样？明天可能会下雨。那我们今天就去吧。";

    private const string English = "The sun rose early. Birds sang in the trees. We walked down to the river. " +
        "The water was cold and clear. Then we went home for lunch.";

    private const string Mixed = "ChatTTS 是一个文本转语音模型。It speaks English and Chinese. 价格是 3.5 元，很便宜。" +
        "Visit https://example.com/a.b for more. 我们明天见！";

    [Theory]
    [InlineData(1000, 4, 4, 4)] // one round of four ~250-character segments
    [InlineData(2000, 7, 4, 8)] // two full rounds of four are as fast as seven, with shorter segments
    [InlineData(2000, 9, 4, 12)] // the sentences need nine within the maximum: three full rounds
    [InlineData(2000, 7, 3, 9)]
    [InlineData(1000, 4, 1, 4)] // alone: the fewest within the maximum
    [InlineData(1000, 4, 0, 4)] // nothing free: the same, its segments queue
    [InlineData(1000, 4, 2, 4)]
    [InlineData(1000, 4, 9, 4)] // at most MaxParallel (4) at once
    [InlineData(250, 1, 4, 4)]
    [InlineData(250, 1, 2, 2)]
    [InlineData(250, 1, 1, 1)]
    [InlineData(100, 1, 4, 2)] // no more than keeps each 40 characters long on average
    [InlineData(79, 1, 4, 1)]
    [InlineData(301, 2, 1, 2)]
    public void Count_FromTheLengthTheMaximumsSegmentsAndTheFreeSlots_FillsWholeRoundsWithinTheLimits(int characters, int fewest, int free, int expected) =>
        Assert.Equal(expected, SegmentPlan.Count(characters, fewest, free, Options(max: 300, min: 40, parallel: 4)));

    [Theory]
    [InlineData(79, false, false)]
    [InlineData(20, false, false)]
    [InlineData(80, false, true)]
    [InlineData(300, false, true)]
    [InlineData(301, false, true)]
    [InlineData(80, true, false)]
    [InlineData(300, true, false)]
    [InlineData(301, true, true)]
    public void MaySplit_TextLongerThanTheMaximumOrLongEnoughForTwoSegments_IsConsidered_ASeededOneOnlyPastTheMaximum(int characters, bool seeded, bool expected) =>
        Assert.Equal(expected, SegmentPlan.MaySplit(characters, seeded, Options(max: 300, min: 40, parallel: 4)));

    [Theory]
    [InlineData(4, "今天天气很好。|我们去公园散步吧！|你觉得怎么样？明天可能会下雨。|那我们今天就去吧。")]
    [InlineData(2, "今天天气很好。我们去公园散步吧！你觉得怎么样？|明天可能会下雨。那我们今天就去吧。")]
    [InlineData(1, "今天天气很好。我们去公园散步吧！你觉得怎么样？|明天可能会下雨。那我们今天就去吧。")]
    public void Split_Chinese_IntoNearEqualSegmentsAtSentenceEnds_ForTheFreeSlots(int free, string expected) =>
        AssertPlan(Chinese, free, Options(max: 30, min: 5, parallel: 4), expected);

    [Theory]
    [InlineData(4, "The sun rose early. Birds sang in the trees.|We walked down to the river.|The water was cold and clear.|Then we went home for lunch.")]
    [InlineData(3, "The sun rose early. Birds sang in the trees.|We walked down to the river. The water was cold and clear.|Then we went home for lunch.")]
    [InlineData(1, "The sun rose early. Birds sang in the trees. We walked down to the river.|The water was cold and clear. Then we went home for lunch.")]
    public void Split_English_IntoNearEqualSegmentsAtSentenceEnds_ForTheFreeSlots(int free, string expected) =>
        AssertPlan(English, free, Options(max: 100, min: 10, parallel: 4), expected);

    [Theory]
    [InlineData(4, "ChatTTS 是一个文本转语音模型。|It speaks English and Chinese. 价格是 3.5 元，很便宜。|Visit https://example.com/a.b for more. 我们明天见！")]
    [InlineData(2, "ChatTTS 是一个文本转语音模型。It speaks English and Chinese.|价格是 3.5 元，很便宜。Visit https://example.com/a.b for more. 我们明天见！")]
    [InlineData(1, "ChatTTS 是一个文本转语音模型。It speaks English and Chinese. 价格是 3.5 元，很便宜。Visit https://example.com/a.b for more. 我们明天见！")]
    public void Split_Mixed_NeverInsideANumberOrUrl_ForTheFreeSlots(int free, string expected) =>
        AssertPlan(Mixed, free, Options(max: 300, min: 10, parallel: 4), expected);

    [Fact]
    public void Split_OneSentenceWithinTheMaximum_StaysWholeHoweverManySlotsAreFree() =>
        AssertPlan("This one sentence, which has commas, runs on for quite a while before it ends.", 4, Options(max: 300, min: 10, parallel: 4),
            "This one sentence, which has commas, runs on for quite a while before it ends.");

    [Theory]
    [InlineData("Ten thousand listeners keep their streams open while the proxy counts its memory. Stream 5.", 40,
        "Ten thousand listeners keep their streams open while the proxy counts its memory. Stream 5.")]
    [InlineData("The first sentence is long enough to stand alone here. The second is as long as the first one. OK.", 20,
        "The first sentence is long enough to stand alone here.|The second is as long as the first one. OK.")]
    public void Split_LastSegmentWouldBeAFewWords_IsOneSegmentFewerInstead(string text, int min, string expected) =>
        AssertPlan(text, 4, Options(max: 300, min: min, parallel: 4), expected);

    [Fact]
    public void Split_SentenceLongerThanTheMaximum_IsStillCutAtAWeakerBoundary() =>
        AssertPlan("Short one. This sentence is long, it has a comma, and it keeps going on and on.", 4, Options(max: 40, min: 5, parallel: 4),
            "Short one.|This sentence is long, it has a comma,|and it keeps going on and on.");

    [Fact]
    public void Split_RandomTextsAndFleets_KeepTheSegmentersInvariants()
    {
        var random = new Random(20_261_208);
        for (var round = 0; round < 2000; round++)
        {
            var text = string.Concat(Enumerable.Range(0, random.Next(0, 120)).Select(_ => Fragment(random)));
            var max = random.Next(1, 60);
            var options = Options(max, random.Next(0, max + 1), random.Next(1, 9));
            var free = random.Next(0, 10);
            var segments = SegmentPlan.Split(text, free, options);

            // The minimum is checked against the shorter maximum the balancing chose, which the test does not know: not here.
            TextSegmenterTests.AssertInvariants(text, options.MaxSegmentCharacters, 0, segments, wholeWhenItFits: false);
            var fewest = TextSegmenter.Split(text, max, options.MinSegmentCharacters).Count;
            Assert.True(segments.Count <= SegmentPlan.Count(text.Trim().EnumerateRunes().Count(), fewest, free, options), "more segments than planned");
        }
    }

    private static string Fragment(Random random) =>
        random.Next(12) switch
        {
            0 => "今天很好。",
            1 => "Hello there. ",
            2 => "3.14 ",
            3 => "https://example.com/a.b ",
            4 => "，",
            5 => "👍🏽",
            6 => "\n\n",
            7 => "Mr. Smith ",
            8 => "word ",
            9 => "我们",
            10 => "! ",
            _ => "e.g. ",
        };

    private static SegmentationOptions Options(int max, int min, int parallel) =>
        new() { MaxSegmentCharacters = max, MinSegmentCharacters = min, MaxParallel = parallel };

    private static void AssertPlan(string text, int free, SegmentationOptions options, string expected)
    {
        var segments = SegmentPlan.Split(text, free, options);

        Assert.Equal(expected.Split('|'), segments.Select(s => s.Text));
        TextSegmenterTests.AssertInvariants(text, options.MaxSegmentCharacters, options.MinSegmentCharacters, segments, wholeWhenItFits: false);
    }
}
