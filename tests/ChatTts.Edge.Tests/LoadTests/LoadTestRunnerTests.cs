using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using ChatTts.Edge.Tests.Infrastructure;

namespace ChatTts.Edge.Tests.LoadTests;

/// <summary>The load-test runner's contract, run as CI runs it: exit codes, thresholds from the command line over the
/// configured ones, the verdict first in every report, junit.xml that a JUnit schema accepts, and the comparison with
/// a baseline run that can fail the run on a regression.</summary>
public sealed class LoadTestRunnerTests(PassingSmokeRun baseline) : IClassFixture<PassingSmokeRun>, IDisposable
{
    private readonly string _out = Directory.CreateTempSubdirectory("chattts-edge-loadtest-").FullName;

    public void Dispose() => Directory.Delete(_out, recursive: true);

    [Fact]
    public async Task Smoke_WritesJUnitXml_ThatTheJUnitSchemaAccepts_WithOneTestCasePerThreshold()
    {
        Assert.True(baseline.ExitCode == 0, baseline.Output);

        await LoadTestRunner.AssertValidJUnitAsync(Path.Combine(baseline.Folder, "junit.xml"));
        var suite = Assert.Single(XDocument.Load(Path.Combine(baseline.Folder, "junit.xml")).Root!.Elements("testsuite"));
        Assert.Equal("loadtests.smoke", suite.Attribute("name")!.Value);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(baseline.Folder, "report.json")));
        var thresholds = json.RootElement.GetProperty("thresholds").GetArrayLength();
        var cases = suite.Elements("testcase").ToList();
        Assert.Equal(thresholds, cases.Count);
        Assert.Equal(thresholds.ToString(System.Globalization.CultureInfo.InvariantCulture), suite.Attribute("tests")!.Value);
        Assert.Equal("0", suite.Attribute("failures")!.Value);
        Assert.Contains(cases, c => c.Attribute("name")!.Value == "ttfa.p99 <= 60,000 ms" && c.Attribute("classname")!.Value == "loadtests.smoke.thresholds");
        Assert.All(cases, c => Assert.Empty(c.Elements("failure")));
        Assert.StartsWith("# Load test: smoke\n\n**PASSED**: all ", await File.ReadAllTextAsync(Path.Combine(baseline.Folder, "report.md")), StringComparison.Ordinal);
        Assert.Contains("junit.xml", baseline.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Smoke_WithAnImpossibleThreshold_ExitsOne_AndEveryReportSaysWhichOneMissed()
    {
        var run = await LoadTestRunner.RunAsync("smoke", "--duration", "6s", "--warmup", "1s", "--threshold", "ttfa.p99=0.001ms", "--out", _out);

        Assert.True(run.ExitCode == 1, run.Output);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_out, "report.json")));
        Assert.False(json.RootElement.GetProperty("passed").GetBoolean());
        var thresholds = json.RootElement.GetProperty("thresholds").EnumerateArray().ToList();
        var ttfa = Assert.Single(thresholds, t => t.GetProperty("metric").GetString() == "ttfa.p99");
        Assert.False(ttfa.GetProperty("passed").GetBoolean());
        Assert.Equal("--threshold", ttfa.GetProperty("source").GetString());
        Assert.Equal(0.001, ttfa.GetProperty("limit").GetDouble());
        var measured = ttfa.GetProperty("value").GetDouble();
        Assert.Equal(measured - 0.001, ttfa.GetProperty("missed_by").GetDouble(), 6);
        // The correctness thresholds held: the streams were real, complete and valid. (Throughput and gap limits are
        // sized for the full 20 s run, not this short one beside other tests, so they are not asserted here.)
        string[] correctness = ["error_rate", "invalid_audio", "hung", "proxy_exited"];
        Assert.All(correctness, metric => Assert.True(Assert.Single(thresholds, t => t.GetProperty("metric").GetString() == metric).GetProperty("passed").GetBoolean(), metric));
        Assert.True(json.RootElement.GetProperty("metrics").GetProperty("streams_ok").GetProperty("value").GetDouble() > 0);
        Assert.Equal(0, json.RootElement.GetProperty("metrics").GetProperty("invalid_audio").GetProperty("value").GetDouble());

        // report.md says so at the top, with the metric, the measured value, the limit and the margin.
        var markdown = await File.ReadAllTextAsync(Path.Combine(_out, "report.md"));
        var top = string.Join('\n', markdown.Split('\n').Take(6));
        Assert.Contains("**MISSED**", top, StringComparison.Ordinal);
        Assert.Contains("ttfa.p99: measured ", top, StringComparison.Ordinal);
        Assert.Contains("limit ≤ 0.001 ms, missed by ", top, StringComparison.Ordinal);
        Assert.Contains("| ttfa.p99 ≤ 0.001 ms |", markdown, StringComparison.Ordinal);

        // junit.xml: a failed test case named by the metric and its limit, its message naming the measured value.
        var junit = Path.Combine(_out, "junit.xml");
        await LoadTestRunner.AssertValidJUnitAsync(junit);
        // (Only the impossible threshold is sure to miss: throughput and gap limits may miss too beside other tests.)
        var cases = XDocument.Load(junit).Descendants("testcase").ToList();
        var failed = Assert.Single(cases, c => c.Attribute("name")!.Value == "ttfa.p99 <= 0.001 ms");
        var message = failed.Element("failure")!.Attribute("message")!.Value;
        Assert.StartsWith("ttfa.p99: measured ", message, StringComparison.Ordinal);
        Assert.Contains(" ms, limit <= 0.001 ms, missed by ", message, StringComparison.Ordinal);
        Assert.All(correctness, metric => Assert.Null(Assert.Single(cases, c => c.Attribute("name")!.Value.StartsWith(metric + " ", StringComparison.Ordinal)).Element("failure")));
        Assert.Equal(
            cases.Count(c => c.Element("failure") is not null).ToString(System.Globalization.CultureInfo.InvariantCulture),
            XDocument.Load(junit).Root!.Element("testsuite")!.Attribute("failures")!.Value);

        var html = await File.ReadAllTextAsync(Path.Combine(_out, "report.html"));
        Assert.Contains("<svg", html, StringComparison.Ordinal);
        Assert.Contains("limit ttfa.p99 ≤ 0.001 ms (missed)", html, StringComparison.Ordinal); // the threshold line on the TTFA chart
        Assert.Contains("Streams in flight over time", html, StringComparison.Ordinal);
        Assert.Contains("Errors over time", html, StringComparison.Ordinal);
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org/2000/svg", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal); // self-contained
    }

    [Fact]
    public async Task Smoke_WithABaseline_ShowsEveryMetricsChangeAgainstIt()
    {
        var run = await LoadTestRunner.RunAsync(["smoke", .. PassingSmokeRun.Options, "--baseline", Path.Combine(baseline.Folder, "report.json"), "--out", _out]);

        Assert.True(run.ExitCode == 0, run.Output);
        using var before = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(baseline.Folder, "report.json")));
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_out, "report.json")));
        var ttfa = json.RootElement.GetProperty("metrics").GetProperty("ttfa.p99");
        var then = before.RootElement.GetProperty("metrics").GetProperty("ttfa.p99").GetProperty("value").GetDouble();
        var now = ttfa.GetProperty("value").GetDouble();
        Assert.Equal(then, ttfa.GetProperty("baseline").GetProperty("value").GetDouble());
        Assert.Equal(now - then, ttfa.GetProperty("baseline").GetProperty("change").GetDouble(), 6);
        Assert.Contains(ttfa.GetProperty("baseline").GetProperty("verdict").GetString(), (string[])["better", "worse", "same"]);
        // Lower is better for a latency and higher for a throughput: the verdict follows the metric's direction.
        var throughput = json.RootElement.GetProperty("metrics").GetProperty("events_per_second").GetProperty("baseline");
        Assert.Equal(throughput.GetProperty("change").GetDouble() > 0 ? "better" : throughput.GetProperty("change").GetDouble() < 0 ? "worse" : "same",
            throughput.GetProperty("verdict").GetString());

        // The console and report.md print the deltas; report.html charts them.
        Assert.Contains("Change against the baseline", run.Output, StringComparison.Ordinal);
        var markdown = await File.ReadAllTextAsync(Path.Combine(_out, "report.md"));
        var row = Assert.Single(markdown.Split('\n'), line => line.StartsWith("| ttfa.p99 |", StringComparison.Ordinal));
        Assert.Matches(@"^\| ttfa\.p99 \| [0-9.,]+ ms \| [0-9.,]+ ms \| (\+|−)?[0-9.,]+ ms \| (\+|−)?[0-9.,]+ % \| (better|worse|same) \|$", row);
        Assert.Contains("against the baseline", markdown.Split('\n')[2], StringComparison.Ordinal);
        Assert.Contains("<title>Change against the baseline</title>", await File.ReadAllTextAsync(Path.Combine(_out, "report.html")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Smoke_WithMaxRegression_AgainstAMuchFasterBaseline_ExitsOne_AndNamesTheRegressions()
    {
        // The baseline run, edited to have had a hundredth of this machine's time to first audio.
        var report = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(baseline.Folder, "report.json")))!;
        foreach (var (name, metric) in report["metrics"]!.AsObject().Where(m => m.Key.StartsWith("ttfa.", StringComparison.Ordinal)))
        {
            metric!["value"] = metric["value"]!.GetValue<double>() / 100;
        }

        var faster = Path.Combine(_out, "faster.json");
        await File.WriteAllTextAsync(faster, report.ToJsonString());
        var folder = Path.Combine(_out, "run");

        var run = await LoadTestRunner.RunAsync(["smoke", .. PassingSmokeRun.Options, "--baseline", faster, "--max-regression", "1%", "--out", folder]);

        Assert.True(run.ExitCode == 1, run.Output);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "report.json")));
        Assert.All(json.RootElement.GetProperty("thresholds").EnumerateArray(), t => Assert.True(t.GetProperty("passed").GetBoolean(), t.GetProperty("requirement").GetString()));
        Assert.False(json.RootElement.GetProperty("passed").GetBoolean());
        Assert.Contains("ttfa.p99", json.RootElement.GetProperty("baseline").GetProperty("regressions").EnumerateArray().Select(r => r.GetString()));
        Assert.True(json.RootElement.GetProperty("metrics").GetProperty("ttfa.p99").GetProperty("baseline").GetProperty("regressed").GetBoolean());

        var top = (await File.ReadAllLinesAsync(Path.Combine(folder, "report.md"))).Take(12).ToList();
        Assert.Contains("**MISSED**", top[2], StringComparison.Ordinal);
        Assert.Contains(top, line => line.Contains("ttfa.p99: ", StringComparison.Ordinal) && line.EndsWith("worse by more than the 1 % allowed", StringComparison.Ordinal));

        var junit = Path.Combine(folder, "junit.xml");
        await LoadTestRunner.AssertValidJUnitAsync(junit);
        var regression = Assert.Single(XDocument.Load(junit).Descendants("testcase"), c => c.Attribute("name")!.Value == "ttfa.p99 at most 1 % worse than the baseline");
        Assert.Equal("regression", regression.Element("failure")!.Attribute("type")!.Value);
        Assert.StartsWith("ttfa.p99: ", regression.Element("failure")!.Attribute("message")!.Value, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LongText_ReportsFirstAudioAndTotalTimePerCondition_AndTheRatiosTheTargetsAreOn()
    {
        var run = await LoadTestRunner.RunAsync("longtext", "--lengths", "400", "--runs", "1", "--first-audio", "50ms", "--rtf", "0.02",
            "--threshold", "ttfa_ratio.max=<= 100", "--threshold", "total_ratio.max=<= 1", "--out", _out);

        Assert.True(run.ExitCode == 0, run.Output);
        var report = await File.ReadAllTextAsync(Path.Combine(_out, "report.md"));
        foreach (var row in new[] { "| 1 | one sentence |", "| 1 | 400 | no |", "| 1 | 400 | yes |", "| 4 | 400 | yes |" })
        {
            Assert.Contains(row, report, StringComparison.Ordinal);
        }

        var metrics = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_out, "report.json"))).RootElement.GetProperty("metrics");
        Assert.Equal(0, metrics.GetProperty("failed").GetProperty("value").GetDouble());
        Assert.InRange(metrics.GetProperty("total_ratio.400").GetProperty("value").GetDouble(), 0.05, 0.95); // four GPUs beat one
    }

    [Fact]
    public async Task Repeats_ServesEveryRepeatFromTheCache_AndReportsCachedAndSynthesizedFirstAudioAndTheGpuTimeSaved()
    {
        var run = await LoadTestRunner.RunAsync("repeats", "--requests", "20", "--clients", "2", "--gpus", "2", "--first-audio", "50ms", "--rtf", "0.02",
            "--loopback-streams", "20", "--threshold", "loopback.ttfa.cached.p99=<= 1s", "--out", _out);

        Assert.True(run.ExitCode == 0, run.Output);
        var report = await File.ReadAllTextAsync(Path.Combine(_out, "report.md"));
        foreach (var row in new[] { "| mixed: synthesized | 14 |", "| mixed: cached | 6 |", "| loopback: cached | 20 |" })
        {
            Assert.Contains(row, report, StringComparison.Ordinal);
        }

        var metrics = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_out, "report.json"))).RootElement.GetProperty("metrics");
        Assert.Equal(0, metrics.GetProperty("failed").GetProperty("value").GetDouble());
        Assert.Equal(14, metrics.GetProperty("syntheses").GetProperty("value").GetDouble()); // the GPUs never saw a repeat
        Assert.True(metrics.GetProperty("gpu_seconds.saved").GetProperty("value").GetDouble() > 6 * 0.05); // at least each repeat's first-audio delay
    }

    [Theory]
    [InlineData("--lengths", "250,many", "--lengths")]
    [InlineData("--gpus", "0", "--gpus")]
    public async Task LongText_BadCommandLine_IsExitTwo_BeforeAnythingStarts(string option, string value, string named)
    {
        var run = await LoadTestRunner.RunAsync("longtext", option, value, "--out", _out);

        Assert.True(run.ExitCode == 2, run.Output);
        Assert.Contains(named, run.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--threshold", "ttfa.p42=1ms", "ttfa.p42")]
    [InlineData("--threshold", "ttfa.p99=soon", "soon")]
    [InlineData("--clients", "many", "--clients")]
    [InlineData("--baseline", "/nonexistent/report.json", "--baseline")]
    [InlineData("--max-regression", "5%", "--max-regression needs --baseline")]
    public async Task BadCommandLine_IsExitTwo_BeforeAnythingStarts(string option, string value, string named)
    {
        var run = await LoadTestRunner.RunAsync("smoke", option, value, "--out", _out);

        Assert.True(run.ExitCode == 2, run.Output);
        Assert.Contains(named, run.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_out, "report.json")));
    }

    [Theory]
    [InlineData("{ not json", "10%", "not valid JSON")]
    [InlineData("""{"scenario": "smoke"}""", "10%", "not a load-test report.json")]
    [InlineData("""{"scenario": "steady", "metrics": {}}""", "10%", "scenario 'steady', not 'smoke'")]
    [InlineData("""{"scenario": "smoke", "metrics": {}}""", "ten", "--max-regression takes a percentage")]
    [InlineData("""{"scenario": "smoke", "metrics": {}}""", "-5%", "--max-regression takes a percentage")]
    public async Task BadBaseline_IsExitTwo_BeforeAnythingStarts(string baselineJson, string maxRegression, string named)
    {
        var file = Path.Combine(_out, "baseline.json");
        await File.WriteAllTextAsync(file, baselineJson);
        var folder = Path.Combine(_out, "run");

        var run = await LoadTestRunner.RunAsync("smoke", "--baseline", file, "--max-regression", maxRegression, "--out", folder);

        Assert.True(run.ExitCode == 2, run.Output);
        Assert.Contains(named, run.Output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(folder));
    }
}

/// <summary>One short smoke run whose thresholds hold on any machine, shared by the tests as their baseline.</summary>
public sealed class PassingSmokeRun : IAsyncLifetime
{
    /// <summary>A short run with correctness thresholds only (the configured throughput and latency limits are sized for
    /// the full 20 s run on a quiet machine, not for 6 s beside other tests).</summary>
    public static readonly string[] Options =
        ["--duration", "6s", "--warmup", "1s", "--threshold", "ttfa.p99=60s", "--threshold", "gap.p99=60s", "--threshold", "streams_ok=>=1"];

    public string Folder { get; } = Directory.CreateTempSubdirectory("chattts-edge-loadtest-baseline-").FullName;

    public int ExitCode { get; private set; }

    public string Output { get; private set; } = string.Empty;

    public async Task InitializeAsync() => (ExitCode, Output) = await LoadTestRunner.RunAsync(["smoke", .. Options, "--out", Folder]);

    public Task DisposeAsync()
    {
        Directory.Delete(Folder, recursive: true);
        return Task.CompletedTask;
    }
}

/// <summary>Runs the load-test runner as a process, as CI does, and checks its junit.xml with a real schema validator.</summary>
internal static class LoadTestRunner
{
    public static async Task<(int ExitCode, string Output)> RunAsync(params string[] arguments)
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name; // bin/<Configuration>/net10.0/
        var runner = Path.Combine(Repository.Root, "loadtests", "ChatTts.Edge.LoadTests", "bin", configuration, "net10.0", "ChatTts.Edge.LoadTests.dll");
        return await RunProcessAsync("dotnet", [runner, .. arguments]);
    }

    /// <summary>Validates <paramref name="file"/> with <c>xmllint --schema loadtests/junit.xsd</c> (Debian's libxml2-utils).</summary>
    public static async Task AssertValidJUnitAsync(string file)
    {
        Assert.True(File.Exists("/usr/bin/xmllint"), "This test needs Debian's libxml2-utils (xmllint): run scripts/install-deps.sh as root.");
        var (exitCode, output) = await RunProcessAsync("/usr/bin/xmllint", ["--noout", "--schema", Path.Combine(Repository.Root, "loadtests", "junit.xsd"), file]);
        Assert.True(exitCode == 0, "xmllint --schema loadtests/junit.xsd: " + output);
    }

    private static async Task<(int ExitCode, string Output)> RunProcessAsync(string executable, string[] arguments)
    {
        var start = new ProcessStartInfo(executable, arguments)
        {
            WorkingDirectory = Repository.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        return (process.ExitCode, await output + await error);
    }
}
