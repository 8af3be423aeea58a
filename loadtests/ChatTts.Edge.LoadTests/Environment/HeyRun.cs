using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using ChatTts.Edge.TestKit;

namespace ChatTts.Edge.LoadTests.Environment;

/// <summary>
/// One run of <c>hey</c> (Debian's package): <paramref name="Requests"/> GETs of one address by a fixed number of
/// workers. hey reads each response body to its end, so its latencies are whole response times.
/// </summary>
/// <param name="Requests">The responses received: the sum of <paramref name="StatusCodes"/>.</param>
/// <param name="StatusCodes">How many responses had each status code.</param>
/// <param name="Fastest">The shortest response time.</param>
/// <param name="Average">The mean response time.</param>
/// <param name="Slowest">The longest response time.</param>
/// <param name="LatencyPercentiles">Response times by percentile, as hey prints them: 10, 25, 50, 75, 90, 95, 99.</param>
/// <param name="RequestsPerSecond">Responses per second over the whole run.</param>
/// <param name="RawOutput">What hey printed.</param>
internal sealed record HeyResult(
    int Requests,
    IReadOnlyDictionary<int, int> StatusCodes,
    TimeSpan Fastest,
    TimeSpan Average,
    TimeSpan Slowest,
    IReadOnlyDictionary<int, TimeSpan> LatencyPercentiles,
    double RequestsPerSecond,
    string RawOutput);

/// <summary>
/// Runs <c>hey -n requests -c concurrency -disable-compression [-H "Name: value"]… url</c> and reads its summary.
/// hey's own limit per request applies (20 s): a longer response counts as an error.
/// </summary>
internal static partial class HeyRun
{
    public const string Executable = "/usr/bin/hey";

    /// <summary>How long one run may take in all; far longer than any run the scenarios ask for.</summary>
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(15);

    /// <summary>Runs hey to its end (or kills it on cancellation) and parses what it printed.</summary>
    /// <exception cref="EnvironmentException">hey is not installed, failed, timed out, reported errors (any
    /// "Error distribution"), or printed something this cannot read; with its output.</exception>
    public static async Task<HeyResult> RunAsync(
        Uri url, int requests, int concurrency, IReadOnlyDictionary<string, string> headers, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThan(concurrency, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(requests, concurrency); // hey refuses fewer requests than workers

        var start = new ProcessStartInfo(InstalledProgram.Find(Executable, "hey"))
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in (string[])["-n", Invariant(requests), "-c", Invariant(concurrency), "-disable-compression"])
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in headers)
        {
            start.ArgumentList.Add("-H");
            start.ArgumentList.Add($"{name}: {value}");
        }

        start.ArgumentList.Add(url.AbsoluteUri);
        var output = await RunToEndAsync(start, time, cancellationToken);
        return Parse(output);
    }

    private static async Task<string> RunToEndAsync(ProcessStartInfo start, TimeProvider time, CancellationToken cancellationToken)
    {
        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw new EnvironmentException($"`{start.FileName}` could not be started: {e.Message}", innerException: e);
        }

        // Should this process exit first, hey goes with it.
        void OnProcessExit(object? sender, EventArgs e) => Kill(process);
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
        try
        {
            // Read both to their ends whatever happens: the pipes close once hey exits or is killed.
            var standardOutput = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
            var standardError = process.StandardError.ReadToEndAsync(CancellationToken.None);
            try
            {
                await process.WaitForExitAsync(cancellationToken).WaitAsync(RunTimeout, time, cancellationToken);
            }
            catch (TimeoutException e)
            {
                Kill(process);
                throw new EnvironmentException($"hey did not finish within {RunTimeout}.", Details(await standardOutput + await standardError), e);
            }

            var output = await standardOutput + await standardError;
            return process.ExitCode == 0
                ? output
                : throw new EnvironmentException(
                    string.Create(CultureInfo.InvariantCulture, $"hey exited with code {process.ExitCode}."), Details(output));
        }
        finally
        {
            Kill(process); // cancelled: it is still running
            AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        }
    }

    private static HeyResult Parse(string output)
    {
        if (output.Contains("Error distribution:", StringComparison.Ordinal))
        {
            throw new EnvironmentException("hey reported errors.", Details(output));
        }

        var statusCodes = new SortedDictionary<int, int>();
        foreach (Match line in StatusCodeLine().Matches(output))
        {
            statusCodes[Integer(line.Groups["code"].Value, output)] = Integer(line.Groups["count"].Value, output);
        }

        var percentiles = new SortedDictionary<int, TimeSpan>();
        foreach (Match line in PercentileLine().Matches(output))
        {
            percentiles[Integer(line.Groups["percent"].Value, output)] = Seconds(line.Groups["seconds"].Value, output);
        }

        var summary = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        foreach (Match line in SummaryLine().Matches(output))
        {
            summary[line.Groups["name"].Value] = Seconds(line.Groups["seconds"].Value, output);
        }

        if (statusCodes.Count == 0 || percentiles.Count == 0 || summary.Count != 3 || RateLine().Match(output) is not { Success: true } rate)
        {
            throw Unreadable(output);
        }

        return new HeyResult(
            statusCodes.Values.Sum(),
            statusCodes,
            summary["Fastest"],
            summary["Average"],
            summary["Slowest"],
            percentiles,
            Number(rate.Groups["rate"].Value, output),
            output);
    }

    private static int Integer(string text, string output) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : throw Unreadable(output);

    private static TimeSpan Seconds(string text, string output) => TimeSpan.FromSeconds(Number(text, output));

    private static double Number(string text, string output) =>
        double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) ? value : throw Unreadable(output);

    private static EnvironmentException Unreadable(string output) => new("hey's output could not be read.", Details(output));

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>The output between a heading and an end marker, as <see cref="EnvironmentException.Details"/>.</summary>
    private static string Details(string output) =>
        new StringBuilder().AppendLine("--- hey output ---").AppendLine(output.TrimEnd()).AppendLine("--- end of hey output ---").ToString();

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or Win32Exception)
        {
            // It has exited already.
        }
    }

    // "  Fastest:	0.0012 secs"
    [GeneratedRegex(@"^\s*(?<name>Fastest|Average|Slowest):\s+(?<seconds>\S+) secs$", RegexOptions.Multiline)]
    private static partial Regex SummaryLine();

    // "  Requests/sec:	3546.4584"
    [GeneratedRegex(@"^\s*Requests/sec:\s+(?<rate>\S+)$", RegexOptions.Multiline)]
    private static partial Regex RateLine();

    // "  50% in 0.0123 secs" under "Latency distribution:"
    [GeneratedRegex(@"^\s*(?<percent>\d+)% in (?<seconds>\S+) secs$", RegexOptions.Multiline)]
    private static partial Regex PercentileLine();

    // "  [200]	400 responses" under "Status code distribution:"
    [GeneratedRegex(@"^\s*\[(?<code>\d+)\]\s+(?<count>\d+) responses$", RegexOptions.Multiline)]
    private static partial Regex StatusCodeLine();
}
