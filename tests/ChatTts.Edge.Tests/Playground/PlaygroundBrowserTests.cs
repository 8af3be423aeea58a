using System.Globalization;
using ChatTts.Edge.Tests.Infrastructure;
using ChatTts.Emulator;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;

namespace ChatTts.Edge.Tests.Playground;

/// <summary>
/// The playground in a real headless Chromium (Debian's, driven by its chromedriver): Play streams through the
/// real proxy, and every chunk decodes with Web Audio and is scheduled back to back.
/// </summary>
public sealed class PlaygroundBrowserTests
{
    private const string Chromium = "/usr/bin/chromium";
    private const string ChromeDriverDirectory = "/usr/bin";

    [Fact]
    public async Task Play_StreamsAudioThatTheBrowserDecodesAndSchedulesGaplessly()
    {
        Assert.True(File.Exists(Chromium) && File.Exists(Path.Combine(ChromeDriverDirectory, "chromedriver")),
            "This test needs Debian's chromium and chromium-driver: run scripts/install-deps.sh as root.");
        await using var backend = await EmulatorInstance.StartAsync(new EmulatorOptions { Dialect = "forge", FirstChunkDelay = TimeSpan.FromMilliseconds(50), RealTimeFactor = 0.05 });
        await using var edge = EdgeApp.Start(backend);
        using var browser = StartChromium();

        browser.Navigate().GoToUrl(edge.Address);
        var text = browser.FindElement(By.Id("text"));
        text.Clear();
        text.SendKeys("Hello from a real browser. 你好，浏览器。");
        var chunkMs = browser.FindElement(By.Id("chunk-ms"));
        chunkMs.Clear();
        chunkMs.SendKeys("100");
        browser.FindElement(By.Id("play")).Click();

        var wait = new WebDriverWait(browser, TimeSpan.FromSeconds(60));
        var state = wait.Until(b => b.FindElement(By.TagName("body")).GetDomAttribute("data-state") is "done" or "error" ? b.FindElement(By.TagName("body")).GetDomAttribute("data-state") : null);

        var playground = (IReadOnlyDictionary<string, object>)((IJavaScriptExecutor)browser).ExecuteScript(
            "return { chunks: playground.chunks, decoded: playground.decodedChunks, seconds: playground.scheduledSeconds, errors: playground.errors.map(String) };")!;
        Assert.Equal("done", state);
        Assert.Empty((IEnumerable<object>)playground["errors"]);
        var samples = backend.ProducedPcm(Assert.Single(backend.Requests)).Length / 2;
        var chunks = Convert.ToInt32(playground["chunks"], CultureInfo.InvariantCulture);
        Assert.Equal((samples + 2399) / 2400, chunks);
        Assert.Equal(chunks, Convert.ToInt32(playground["decoded"], CultureInfo.InvariantCulture));
        Assert.Equal(samples / 24_000.0, Convert.ToDouble(playground["seconds"], CultureInfo.InvariantCulture), 3);
    }

    [Fact]
    public async Task Play_LongTextSplitBySentence_HighlightsEachSentenceInTurnAsItIsHeard()
    {
        Assert.True(File.Exists(Chromium) && File.Exists(Path.Combine(ChromeDriverDirectory, "chromedriver")),
            "This test needs Debian's chromium and chromium-driver: run scripts/install-deps.sh as root.");
        await using var first = await EmulatorInstance.StartAsync(new EmulatorOptions { Dialect = "webui", Engine = SpeechEngine.Synthetic, FirstChunkDelay = TimeSpan.FromMilliseconds(20) });
        await using var second = await EmulatorInstance.StartAsync(new EmulatorOptions { Dialect = "webui", Engine = SpeechEngine.Synthetic, FirstChunkDelay = TimeSpan.FromMilliseconds(20) });
        await using var edge = EdgeApp.Start([first, second], new Dictionary<string, string?>
        {
            ["Edge:Segmentation:MaxSegmentCharacters"] = "30",
            ["Edge:Segmentation:MinSegmentCharacters"] = "5",
        });
        using var browser = StartChromium();

        browser.Navigate().GoToUrl(edge.Address);
        var text = browser.FindElement(By.Id("text"));
        text.Clear();
        text.SendKeys("The first sentence is here. 第二句话在这里。 And the third one ends it.");
        browser.FindElement(By.Id("play")).Click();

        // Each segment is highlighted when its first chunk starts playing, in text order, the last one staying lit.
        var script = browser;
        var wait = new WebDriverWait(browser, TimeSpan.FromSeconds(60));
        wait.Until(_ => Convert.ToInt32(script.ExecuteScript("return playground.state === 'done' && playground.heard.length === playground.segments.length ? playground.heard.length : 0;"), CultureInfo.InvariantCulture) > 0);
        var heard = ((IEnumerable<object>)script.ExecuteScript("return playground.heard;")!).Select(i => Convert.ToInt32(i, CultureInfo.InvariantCulture)).ToList();
        var errors = (IEnumerable<object>)script.ExecuteScript("return playground.errors.map(String);")!;

        Assert.Empty(errors);
        Assert.Equal([0, 1, 2], heard);
        var items = browser.FindElements(By.CssSelector("#transcript li"));
        Assert.Equal(["The first sentence is here.", "第二句话在这里。", "And the third one ends it."], items.Select(i => i.Text));
        Assert.Equal(["2"], items.Where(i => i.GetDomAttribute("class")?.Contains("current", StringComparison.Ordinal) == true).Select(i => i.GetDomAttribute("data-index")));
    }

    [Fact]
    public async Task Play_ConnectionDroppedMidStream_ReconnectsResumesAndPlaysTheBackendsPcmWithoutAGapOrARepeat()
    {
        Assert.True(File.Exists(Chromium) && File.Exists(Path.Combine(ChromeDriverDirectory, "chromedriver")),
            "This test needs Debian's chromium and chromium-driver: run scripts/install-deps.sh as root.");
        // Half real time: some 4 s of audio take 2 s, so the drop after three chunks lands while the synthesis runs.
        await using var backend = await EmulatorInstance.StartAsync(new EmulatorOptions
        {
            Dialect = "forge", FirstChunkDelay = TimeSpan.FromMilliseconds(50), RealTimeFactor = 0.5,
        });
        await using var edge = EdgeApp.Start(backend);
        await using var relay = DroppingRelay.Start(edge.Address);
        using var browser = StartChromium();
        var script = browser;

        browser.Navigate().GoToUrl(relay.Address);
        var text = browser.FindElement(By.Id("text"));
        text.Clear();
        text.SendKeys("A network blip in the middle of this sentence must not cost the listener a single sample.");
        var chunkMs = browser.FindElement(By.Id("chunk-ms"));
        chunkMs.Clear();
        chunkMs.SendKeys("100");
        browser.FindElement(By.Id("play")).Click();

        var wait = new WebDriverWait(browser, TimeSpan.FromSeconds(60));
        wait.Until(_ => Convert.ToInt32(script.ExecuteScript("return playground.chunks;"), CultureInfo.InvariantCulture) >= 3);
        Assert.True(relay.DropAll() > 0);
        var state = wait.Until(b => b.FindElement(By.TagName("body")).GetDomAttribute("data-state") is "done" or "error" ? b.FindElement(By.TagName("body")).GetDomAttribute("data-state") : null);

        var playground = (IReadOnlyDictionary<string, object>)script.ExecuteScript(
            "return { pcm: playground.playedPcmBase64(), reconnects: playground.reconnects, resumedAt: playground.resumedAt, errors: playground.errors.map(String), label: document.getElementById('status-state').value };")!;
        Assert.Empty((IEnumerable<object>)playground["errors"]);
        Assert.Equal("done", state);
        Assert.True(Convert.ToInt32(playground["reconnects"], CultureInfo.InvariantCulture) >= 1);
        Assert.NotNull(playground["resumedAt"]); // the edge resumed the stream (meta.resumed_from): no second synthesis
        Assert.Single(backend.Requests);
        Assert.True(relay.Connections >= 2);
        var played = Convert.FromBase64String((string)playground["pcm"]);
        Assert.Equal(backend.ProducedPcm(backend.Requests[0]), played); // no gap, no repeat
    }

    [Fact]
    public async Task Play_ASeededTextTwice_TheSecondIsAReplay_ItsBadgeShows_AndItPlaysTheSamePcm()
    {
        await using var backend = await EmulatorInstance.StartAsync(new EmulatorOptions { Dialect = "webui", FirstChunkDelay = TimeSpan.FromMilliseconds(50), RealTimeFactor = 0.05 });
        await using var edge = EdgeApp.Start(backend);
        using var browser = StartChromium();
        var wait = new WebDriverWait(browser, TimeSpan.FromSeconds(60));
        browser.Navigate().GoToUrl(edge.Address);
        var text = browser.FindElement(By.Id("text"));
        text.Clear();
        text.SendKeys("Welcome back. This greeting is said again.");
        browser.FindElement(By.Id("seed")).SendKeys("11");
        var badge = browser.FindElement(By.Id("status-replay"));

        string PlayToTheEnd()
        {
            browser.FindElement(By.Id("play")).Click();
            wait.Until(b => b.FindElement(By.TagName("body")).GetDomAttribute("data-state") is "done" or "error");
            return (string)browser.ExecuteScript("return playground.playedPcmBase64();")!;
        }

        var first = PlayToTheEnd();
        Assert.False(badge.Displayed);
        var second = PlayToTheEnd();

        Assert.Equal("done", browser.FindElement(By.TagName("body")).GetDomAttribute("data-state"));
        Assert.True(badge.Displayed);
        Assert.Single(backend.Requests); // the second was the cache's, not the GPU's
        Assert.Equal(first, second);
        Assert.Equal(backend.ProducedPcm(backend.Requests[0]), Convert.FromBase64String(second));
    }

    private static ChromeDriver StartChromium()
    {
        var options = new ChromeOptions { BinaryLocation = Chromium };
        options.AddArguments(
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--autoplay-policy=no-user-gesture-required",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic");
        var service = ChromeDriverService.CreateDefaultService(ChromeDriverDirectory, "chromedriver");
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        return new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
    }
}
