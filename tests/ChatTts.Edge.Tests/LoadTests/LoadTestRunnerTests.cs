using System.Diagnostics;
using System.Text.Json;
using ChatTts.Edge.Tests.Infrastructure;

namespace ChatTts.Edge.Tests.LoadTests;

/// <summary>The load-test runner's contract, run as CI runs it: exit codes, thresholds from the command line over the
/// configured ones, and the three reports.</summary>
public sealed class LoadTestRunnerTests : IDisposable
{
    private readonly string _out = Directory.CreateTempSubdirectory("chattts-edge-loadtest-").FullName;

    public void Dispose() => Directory.Delete(_out, recursive: true);

    [Fact]
    public async Task Smoke_WithAnImpossibleThreshold_ExitsOne_AndEveryReportSaysWhichOneMissed()
    {
        var run = await RunAsync("smoke", "--duration", "6s", "--warmup", "1s", "--threshold", "ttfa.p99=0.001ms", "--out", _out);

        Assert.True(run.ExitCode == 1, run.Output);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_out, "report.json")));
        Assert.False(json.RootElement.GetProperty("passed").GetBoolean());
        var thresholds = json.RootElement.GetProperty("thresholds").EnumerateArray().ToList();
        var ttfa = Assert.Single(thresholds, t => t.GetProperty("metric").GetString() == "ttfa.p99");
        Assert.False(ttfa.GetProperty("passed").GetBoolean());
        Assert.Equal("--threshold", ttfa.GetProperty("source").GetString());
        Assert.Equal(0.001, ttfa.GetProperty("limit").GetDouble());
        // The correctness thresholds held: the streams were real, complete and valid. (Throughput and gap limits are
        // sized for the full 20 s run, not this short one beside other tests, so they are not asserted here.)
        string[] correctness = ["error_rate", "invalid_audio", "hung", "proxy_exited"];
        Assert.All(correctness, metric => Assert.True(Assert.Single(thresholds, t => t.GetProperty("metric").GetString() == metric).GetProperty("passed").GetBoolean(), metric));
        Assert.True(json.RootElement.GetProperty("metrics").GetProperty("streams_ok").GetProperty("value").GetDouble() > 0);
        Assert.Equal(0, json.RootElement.GetProperty("metrics").GetProperty("invalid_audio").GetProperty("value").GetDouble());
        Assert.Contains("| ttfa.p99 ≤ 0.00 ms |", await File.ReadAllTextAsync(Path.Combine(_out, "report.md")), StringComparison.Ordinal);
        var html = await File.ReadAllTextAsync(Path.Combine(_out, "report.html"));
        Assert.Contains("<svg", html, StringComparison.Ordinal);
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org/2000/svg", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal); // self-contained
    }

    [Theory]
    [InlineData("--threshold", "ttfa.p42=1ms", "ttfa.p42")]
    [InlineData("--threshold", "ttfa.p99=soon", "soon")]
    [InlineData("--clients", "many", "--clients")]
    public async Task BadCommandLine_IsExitTwo_BeforeAnythingStarts(string option, string value, string named)
    {
        var run = await RunAsync("smoke", option, value, "--out", _out);

        Assert.True(run.ExitCode == 2, run.Output);
        Assert.Contains(named, run.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_out, "report.json")));
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(params string[] arguments)
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name; // bin/<Configuration>/net10.0/
        var runner = Path.Combine(Repository.Root, "loadtests", "ChatTts.Edge.LoadTests", "bin", configuration, "net10.0", "ChatTts.Edge.LoadTests.dll");
        var start = new ProcessStartInfo("dotnet", [runner, .. arguments])
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
