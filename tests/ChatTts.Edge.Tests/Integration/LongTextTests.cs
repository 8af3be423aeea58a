using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ChatTts.Edge.Tests.Infrastructure;
using ChatTts.Emulator;

namespace ChatTts.Edge.Tests.Integration;

/// <summary>
/// Long texts split by sentence: the segments run on several emulated GPUs at once and the client hears them in text
/// order, gapless and byte-exact; later segments queue behind other callers' requests.
/// </summary>
public sealed class LongTextTests
{
    private const int Seed = 42;

    [Theory]
    [InlineData("Local")]
    [InlineData("Redis")]
    public async Task LongMixedText_FourGpus_SegmentsCoverTheTextInOrderAndThePcmIsEachSegmentsPcmInTurn(string store)
    {
        await using var gpus = await Gpus.StartAsync(4);
        await using var redis = store == "Redis" ? await RedisServer.StartAsync() : null;
        await using var edge = EdgeApp.Start(gpus.All, redis is null ? null : new Dictionary<string, string?>
        {
            ["Edge:Admission:Store"] = "Redis", // the fleet's queue and slots
            ["Edge:Redis:Configuration"] = redis.Configuration,
        });
        using var client = edge.CreateRealClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var text = MixedText(1000);

        // The GPUs hold their first syntheses until four segments are on them, one on each.
        gpus.Hold(true);
        var request = PostAsync(client, text, timeout.Token);
        await WaitUntilAsync(() => gpus.All.All(g => g.RequestCount == 1), timeout.Token);
        gpus.Hold(false);
        var stream = await request;

        var segments = AssertSegmentsCoverTheText(stream, text);
        Assert.Equal(4, segments.Count); // sized to the fleet: four GPUs free, one near-equal segment each (at most 300 characters)
        Assert.All(segments, s => Assert.InRange(s.Text.EnumerateRunes().Count(), 200, 300));
        Assert.Equal(segments.Count, stream.Single("done").GetProperty("segments").GetInt32());
        Assert.Equal(1000, stream.Single("done").GetProperty("characters").GetInt32());
        Assert.Equal(ExpectedPcm(gpus.All, segments), stream.AudioPcm());
        Assert.All(gpus.All, gpu => Assert.NotEmpty(gpu.Requests));
        Assert.All(gpus.All, gpu => Assert.Equal(1, gpu.PeakConcurrentSyntheses));
        Assert.All(gpus.All.SelectMany(g => g.Requests), r => Assert.Equal(Seed, r.Seed)); // one voice throughout
        Assert.Equal(segments.Count, gpus.All.Sum(g => g.RequestCount)); // each segment synthesized once
    }

    [Theory]
    [InlineData("Local", 0, false, 4)]
    [InlineData("Local", 2, false, 2)]
    [InlineData("Redis", 2, false, 2)]
    [InlineData("Local", 0, true, 2)] // seeded: cut by its text alone (the fewest within 300 characters), whatever is free
    public async Task LongText_SomeOfFourGpusBusy_IsCutIntoAsManyNearEqualSegmentsAsGpusAreFree_ASeededOneAsItsTextAlone(string store, int busy, bool seeded, int expected)
    {
        await using var gpus = await Gpus.StartAsync(4);
        await using var redis = store == "Redis" ? await RedisServer.StartAsync() : null;
        await using var edge = EdgeApp.Start(gpus.All, redis is null ? null : new Dictionary<string, string?>
        {
            ["Edge:Admission:Store"] = "Redis",
            ["Edge:Redis:Configuration"] = redis.Configuration,
        });
        using var client = edge.CreateRealClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var text = MixedText(500); // two segments within 300 characters; four if four GPUs are free

        // Other callers' short requests hold `busy` GPUs; the long text gets the rest.
        gpus.Hold(true);
        var others = Enumerable.Range(0, busy).Select(i => PostAsync(client, $"Another caller's short request number {i}.", timeout.Token)).ToList();
        await WaitUntilAsync(() => gpus.All.Sum(g => g.RequestCount) == busy, timeout.Token);
        await FleetStatus.WaitUntilAsync(client, s => s.GetProperty("destinations").EnumerateArray().Sum(d => d.GetProperty("in_flight").GetInt32()) == busy, timeout.Token);
        var request = PostAsync(client, text, timeout.Token, seeded: seeded);
        await WaitUntilAsync(() => gpus.All.Sum(g => g.RequestCount) == busy + expected, timeout.Token);
        gpus.Hold(false);
        var stream = await request;
        await Task.WhenAll(others);

        var segments = AssertSegmentsCoverTheText(stream, text);
        Assert.Equal(expected, segments.Count);
        var lengths = segments.Select(s => s.Text.EnumerateRunes().Count()).ToList();
        Assert.True(lengths.Max() - lengths.Min() <= 90, $"near-equal segments: {string.Join(", ", lengths)}"); // within a sentence of each other
        Assert.Equal(ExpectedPcm(gpus.All, segments), stream.AudioPcm());
        Assert.Equal(busy + expected, gpus.All.Sum(g => g.RequestCount));
        Assert.All(gpus.All, gpu => Assert.InRange(gpu.PeakConcurrentSyntheses, 0, 1)); // never two at once (a GPU the text left free ran none)
    }

    [Fact]
    public async Task LongText_OneGpuFailsBeforeAudio_ItsSegmentIsRetriedElsewhereAndTheStreamStaysByteExact()
    {
        await using var gpus = await Gpus.StartAsync(4);
        await using var edge = EdgeApp.Start(gpus.All);
        using var client = edge.CreateRealClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var text = MixedText(1000);
        var failing = gpus.All[3];

        // Three GPUs hold their segments, so the fourth segment goes to the failing GPU, which answers 500 at once.
        gpus.Hold(true);
        failing.Faults.Hold = false;
        failing.Faults.Fail = true;
        var request = PostAsync(client, text, timeout.Token);
        await WaitUntilAsync(() => failing.RequestCount >= 1 && gpus.All.Take(3).All(g => g.RequestCount == 1), timeout.Token);
        gpus.Hold(false);
        var stream = await request;

        Assert.Equal("done", stream.EventTypes.Last());
        var segments = AssertSegmentsCoverTheText(stream, text);
        var healthy = gpus.All.Take(3).ToList();
        Assert.Equal(ExpectedPcm(healthy, segments), stream.AudioPcm());
        Assert.Contains(failing.Requests, r => segments.Any(s => s.Text == r.Text)); // it was asked, and its segment came from another
        Assert.Equal(segments.Count, healthy.Sum(g => g.RequestCount));
        Assert.All(gpus.All, gpu => Assert.True(gpu.PeakConcurrentSyntheses <= 1));
    }

    [Fact]
    public async Task ShortRequestDuringALongText_QueuesAheadOfTheLongTextsLaterSegments_AndGetsTheNextFreeGpu()
    {
        await using var gpus = await Gpus.StartAsync(4);
        await using var edge = EdgeApp.Start(gpus.All, new Dictionary<string, string?>
        {
            ["Edge:Segmentation:MaxParallel"] = "8",
            ["Edge:Segmentation:MaxSegmentCharacters"] = "150", // seven segments at least: two rounds of four on the four GPUs
        });
        using var client = edge.CreateRealClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var text = MixedText(1000);
        const string shortText = "A short question from another caller.";

        // Four segments hold the four GPUs; four more wait in the queue for them.
        gpus.Hold(true);
        var longRequest = PostAsync(client, text, timeout.Token);
        await FleetStatus.WaitUntilAsync(client, s => s.GetProperty("queue").GetProperty("length").GetInt32() == 4, timeout.Token);
        var shortRequest = PostAsync(client, shortText, timeout.Token);
        await FleetStatus.WaitUntilAsync(client, s => s.GetProperty("queue").GetProperty("length").GetInt32() == 5, timeout.Token);

        // One GPU frees: the short request takes it, not the long text's next segment.
        var first = gpus.All[0];
        first.Faults.Hold = false;
        await WaitUntilAsync(() => first.RequestCount == 2, timeout.Token);
        Assert.Equal(shortText, first.Requests[1].Text);
        gpus.Hold(false);
        var (longStream, shortStream) = (await longRequest, await shortRequest);

        Assert.Equal([1], shortStream.Data("queued").Select(q => q.GetProperty("position").GetInt32()));
        Assert.Equal(first.ProducedPcm(first.Requests[1]), shortStream.AudioPcm());
        Assert.Equal("done", longStream.EventTypes.Last());
        Assert.Equal(ExpectedPcm(gpus.All, AssertSegmentsCoverTheText(longStream, text)), longStream.AudioPcm());
    }

    [Fact]
    public async Task LongText_OneGpu_SegmentsTakeItInTextOrder_SoTheFirstAudioIsTheFirstSegments()
    {
        await using var gpus = await Gpus.StartAsync(1);
        await using var edge = EdgeApp.Start(gpus.All);
        using var client = edge.CreateRealClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var text = MixedText(1000);

        for (var run = 0; run < 3; run++)
        {
            var stream = await PostAsync(client, text, timeout.Token);
            var segments = AssertSegmentsCoverTheText(stream, text);

            var served = gpus.All[0].Requests.Skip(run * segments.Count).Select(r => r.Text);
            Assert.Equal(segments.Select(s => s.Text), served);
        }
    }

    [Fact]
    public async Task LongText_SplitFalse_GoesToOneBackendWholeWithoutSegmentEvents()
    {
        await using var gpus = await Gpus.StartAsync(2);
        await using var edge = EdgeApp.Start(gpus.All);
        using var client = edge.CreateRealClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var text = MixedText(400);

        var stream = await PostAsync(client, text, timeout.Token, split: false);

        Assert.DoesNotContain("segment", stream.EventTypes);
        Assert.False(stream.Single("done").TryGetProperty("segments", out _));
        var record = Assert.Single(gpus.All.SelectMany(g => g.Requests));
        Assert.Equal(text, record.Text);
        Assert.Equal(gpus.All.Single(g => g.RequestCount == 1).ProducedPcm(record), stream.AudioPcm());
    }

    [Fact]
    public async Task LongText_BufferedAudioAtItsBound_TheNextSegmentWaitsUntilTheHeldAudioIsSent()
    {
        await using var gpus = await Gpus.StartAsync(2);
        await using var edge = EdgeApp.Start(gpus.All, new Dictionary<string, string?>
        {
            ["Edge:Segmentation:MaxBufferedAudio"] = "00:00:01",
            ["Edge:Segmentation:MaxParallel"] = "2",
            ["Edge:Segmentation:MaxSegmentCharacters"] = "150", // three segments at least: two rounds of two on the two GPUs
        });
        using var client = edge.CreateRealClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var text = MixedText(400);

        // Both GPUs hold; then the second segment's GPU finishes it while the first is still held: its audio waits in memory.
        gpus.Hold(true);
        var request = PostAsync(client, text, timeout.Token);
        await WaitUntilAsync(() => gpus.All.All(g => g.RequestCount == 1), timeout.Token);
        var second = gpus.All.Single(g => !text.TrimStart().StartsWith(g.Requests[0].Text, StringComparison.Ordinal));
        second.Faults.Hold = false;
        await FleetStatus.WaitUntilAsync(client, s => s.GetProperty("destinations").EnumerateArray().Sum(d => d.GetProperty("in_flight").GetInt32()) == 1, timeout.Token);
        await Task.Delay(TimeSpan.FromMilliseconds(300), timeout.Token); // what would start a third segment happens at once, not later

        // More than a second of audio is held: no third segment started although a GPU is free.
        Assert.Equal(2, gpus.All.Sum(g => g.RequestCount));
        gpus.Hold(false);
        var stream = await request;
        var sent = AssertSegmentsCoverTheText(stream, text);
        Assert.True(sent.Count >= 3);
        Assert.Equal(ExpectedPcm(gpus.All, sent), stream.AudioPcm());
    }

    [Fact]
    public async Task LongInput_OnOpenAisSpeechRoute_IsSplitToo_AndTheBodyIsEachSegmentsPcmInTextOrder()
    {
        await using var gpus = await Gpus.StartAsync(4);
        await using var edge = EdgeApp.Start(gpus.All);
        using var client = edge.CreateRealClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var input = MixedText(1000);

        using var response = await client.PostAsJsonAsync("/v1/audio/speech", new { model = "tts-1", input, voice = "alloy", response_format = "pcm" }, timeout.Token);
        var body = await response.Content.ReadAsByteArrayAsync(timeout.Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var records = gpus.All.SelectMany(g => g.Requests.Select(r => (Gpu: g, Record: r)))
            .OrderBy(r => input.IndexOf(r.Record.Text, StringComparison.Ordinal)).ToList();
        Assert.Equal(4, records.Count); // one segment for each of the four free GPUs, each synthesized once
        Assert.All(records, r => Assert.True(input.Contains(r.Record.Text, StringComparison.Ordinal), "a segment's text is the input's own"));
        Assert.Equal([.. records.SelectMany(r => r.Gpu.ProducedPcm(r.Record))], body);
        Assert.All(gpus.All, gpu => Assert.Equal(1, gpu.PeakConcurrentSyntheses));
    }

    /// <summary>A text of exactly <paramref name="characters"/> Unicode characters: English and Chinese sentences in turn, one emoji.</summary>
    private static string MixedText(int characters)
    {
        var text = new StringBuilder();
        for (var i = 0; text.Length < characters * 2; i++)
        {
            text.Append(i % 2 == 0
                ? $"Sentence {i} tells the listener about the weather in town number {i * 7}. "
                : $"第{i}句话说今天的天气很好，我们去公园散步吧。");
            if (i == 3)
            {
                text.Append("Smile 🙂 please! ");
            }
        }

        var runes = text.ToString().EnumerateRunes().Take(characters).ToList();
        runes[^1] = new Rune('.');
        return string.Concat(runes.Select(r => r.ToString()));
    }

    /// <summary>
    /// The <c>segment</c> events: indexes 0, 1, 2…, each text exactly the request's text at its start, in order, with only
    /// whitespace between them; each right before its first audio, at that audio's offset.
    /// </summary>
    private static List<(int Start, string Text)> AssertSegmentsCoverTheText(SseCapture stream, string text)
    {
        var runes = text.EnumerateRunes().Select(r => r.ToString()).ToList();
        var events = stream.Events.Where(e => e.EventType is "segment" or "audio").ToList();
        var segments = new List<(int Start, string Text)>();
        var covered = 0;
        for (var i = 0; i < events.Count; i++)
        {
            if (events[i].EventType != "segment")
            {
                continue;
            }

            var data = JsonDocument.Parse(events[i].Data).RootElement;
            var start = data.GetProperty("start").GetInt32();
            var segmentText = data.GetProperty("text").GetString()!;
            Assert.Equal(segments.Count, data.GetProperty("index").GetInt32());
            Assert.Equal(string.Concat(runes.Skip(start).Take(segmentText.EnumerateRunes().Count())), segmentText);
            Assert.True(string.IsNullOrWhiteSpace(string.Concat(runes.Skip(covered).Take(start - covered))), $"segment {segments.Count} skips text");
            var next = JsonDocument.Parse(events[i + 1].Data).RootElement;
            Assert.Equal("audio", events[i + 1].EventType);
            Assert.Equal(next.GetProperty("offset_ms").GetDouble(), data.GetProperty("offset_ms").GetDouble());
            covered = start + segmentText.EnumerateRunes().Count();
            segments.Add((start, segmentText));
        }

        Assert.True(string.IsNullOrWhiteSpace(string.Concat(runes.Skip(covered))), "the last segment ends before the text");
        var seqs = stream.Data("audio").Select(a => a.GetProperty("seq").GetInt64()).ToList();
        Assert.Equal(Enumerable.Range(0, seqs.Count).Select(i => (long)i), seqs);
        return segments;
    }

    /// <summary>What the emulators produce for each segment's text, in the segments' order.</summary>
    private static byte[] ExpectedPcm(IEnumerable<EmulatorInstance> gpus, IEnumerable<(int Start, string Text)> segments)
    {
        var records = gpus.SelectMany(g => g.Requests.Select(r => (Gpu: g, Record: r))).ToList();
        return [.. segments.SelectMany(s =>
        {
            var (gpu, record) = records.First(r => r.Record.Text == s.Text);
            return gpu.ProducedPcm(record);
        })];
    }

    private static async Task<SseCapture> PostAsync(HttpClient client, string text, CancellationToken cancellationToken, bool? split = null, bool seeded = true)
    {
        var fields = new Dictionary<string, object> { ["text"] = text };
        if (seeded)
        {
            fields["seed"] = Seed;
        }

        if (split is { } s)
        {
            fields["split"] = s;
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/tts/stream") { Content = JsonContent.Create(fields) };
        return await SseCapture.SendAsync(client, request, cancellationToken);
    }

    private static async Task WaitUntilAsync(Func<bool> condition, CancellationToken cancellationToken)
    {
        while (!condition())
        {
            await Task.Delay(20, cancellationToken);
        }
    }

    /// <summary>Emulated GPUs of the streaming dialects that take a seed, in turn, fast and with the synthetic voice.</summary>
    private sealed class Gpus : IAsyncDisposable
    {
        private static readonly string[] Dialects = ["webui", "forge", "webui", "forge"];

        private Gpus(EmulatorInstance[] all) => All = all;

        public EmulatorInstance[] All { get; }

        public static async Task<Gpus> StartAsync(int count)
        {
            var all = new EmulatorInstance[count];
            for (var i = 0; i < count; i++)
            {
                var options = EmulatorPresets.Fast(Dialects[i % Dialects.Length]);
                options.Engine = SpeechEngine.Synthetic;
                all[i] = await EmulatorInstance.StartAsync(options);
            }

            return new Gpus(all);
        }

        public void Hold(bool hold) => Array.ForEach(All, g => g.Faults.Hold = hold);

        public async ValueTask DisposeAsync()
        {
            foreach (var gpu in All)
            {
                await gpu.DisposeAsync();
            }
        }
    }
}
