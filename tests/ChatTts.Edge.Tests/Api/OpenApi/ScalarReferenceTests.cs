using System.Net;
using System.Text.RegularExpressions;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;

namespace ChatTts.Edge.Tests.Api.OpenApi;

/// <summary>
/// The interactive reference at <c>/scalar/v1</c>: served by the proxy as the demo runs it (its build output, environment
/// Demo), with everything it loads from the proxy itself; absent in production, where the document alone is served.
/// </summary>
public sealed partial class ScalarReferenceTests
{
    [Fact]
    public async Task ScalarReference_InTheDemoEnvironment_ServesThePageAndEverythingItLoads()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var proxy = await ProxyProcess.StartAsync(new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Demo" }, timeout.Token);
        using var client = new HttpClient { BaseAddress = proxy.Address };

        using var page = await client.GetAsync("/scalar/v1", timeout.Token);
        var html = await page.Content.ReadAsStringAsync(timeout.Token);

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("openapi/v1.json", html, StringComparison.Ordinal);
        Assert.DoesNotContain("http://", html, StringComparison.Ordinal); // nothing from elsewhere: it works offline
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
        var scripts = ScriptSource().Matches(html).Select(m => m.Groups[1].Value).ToList();
        Assert.Contains("scalar.js", scripts);
        foreach (var script in scripts)
        {
            using var response = await client.GetAsync(new Uri(new Uri(proxy.Address, "/scalar/v1"), script), timeout.Token);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{script}: {(int)response.StatusCode}");
            Assert.Equal("text/javascript", response.Content.Headers.ContentType?.MediaType);
        }

        using var document = await client.GetAsync("/openapi/v1.json", timeout.Token);
        Assert.Equal(HttpStatusCode.OK, document.StatusCode);
    }

    [Fact]
    public async Task ScalarReference_RendersTheDocumentInABrowser_ThatReachesNothingButTheProxy()
    {
        Assert.True(File.Exists("/usr/bin/chromium") && File.Exists("/usr/bin/chromedriver"),
            "This test needs Debian's chromium and chromium-driver: run scripts/install-deps.sh as root.");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await using var proxy = await ProxyProcess.StartAsync(new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Demo" }, timeout.Token);
        var options = new ChromeOptions { BinaryLocation = "/usr/bin/chromium" };
        options.AddArguments(
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"); // as offline as a browser gets: no name resolves
        using var service = ChromeDriverService.CreateDefaultService("/usr/bin", "chromedriver");
        service.SuppressInitialDiagnosticInformation = true;
        using var browser = new ChromeDriver(service, options, TimeSpan.FromSeconds(60));

        browser.Navigate().GoToUrl(new Uri(proxy.Address, "/scalar/v1"));
        var wait = new WebDriverWait(browser, TimeSpan.FromSeconds(60));
        wait.Until(b => b.PageSource.Contains("Speech as Server-Sent Events", StringComparison.Ordinal) && b.PageSource.Contains("/v1/tts/stream", StringComparison.Ordinal));

        var resources = ((IReadOnlyCollection<object>)((IJavaScriptExecutor)browser).ExecuteScript(
            "return performance.getEntriesByType('resource').map(e => e.name);")!).Select(r => new Uri((string)r)).ToList();
        Assert.Contains(resources, r => r.AbsolutePath == "/openapi/v1.json");
        Assert.All(resources, r => Assert.Equal(proxy.Address.Authority, r.Authority));
    }

    [Fact]
    public async Task ScalarReference_InProduction_IsNotFound_WhileTheDocumentIsServed()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var proxy = await ProxyProcess.StartAsync(new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Production" }, timeout.Token);
        using var client = new HttpClient { BaseAddress = proxy.Address };

        using var page = await client.GetAsync("/scalar/v1", timeout.Token);
        using var script = await client.GetAsync("/scalar/scalar.js", timeout.Token);
        using var document = await client.GetAsync("/openapi/v1.json", timeout.Token);

        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        Assert.Equal("application/problem+json", page.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, script.StatusCode);
        Assert.Equal(HttpStatusCode.OK, document.StatusCode);
    }

    [GeneratedRegex("""<script[^>]*\ssrc="([^"]+)"[^>]*>""")]
    private static partial Regex ScriptSource();
}
