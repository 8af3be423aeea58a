using System.Globalization;
using ChatTts.Edge.LoadTests.Environment;
using ChatTts.Edge.TestKit;

namespace ChatTts.Edge.LoadTests.Scenarios.Quotas;

/// <summary>
/// What Redis itself spent inside a window, from its own counters: the script calls (<c>EVAL</c>/<c>EVALSHA</c>, i.e.
/// acquire, renew and release) and the time it took to run them, and its CPU time. Separates Redis's share of the
/// quota check from the client's (connection, queues, thread pool).
/// </summary>
internal sealed record RedisWindowStats(long ScriptCalls, TimeSpan ScriptTime, TimeSpan Cpu)
{
    /// <summary>Redis's own time per script call.</summary>
    public TimeSpan PerCall => ScriptCalls > 0 ? ScriptTime / ScriptCalls : TimeSpan.Zero;

    /// <summary>Resets the command counters and reads the CPU time: the window starts.</summary>
    public static async Task<TimeSpan> StartAsync(RedisServer redis, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(redis);
        await redis.CommandAsync(cancellationToken, "CONFIG", "RESETSTAT");
        return CpuTime(Fields(await redis.CommandAsync(cancellationToken, "INFO", "cpu")));
    }

    /// <summary>Reads the counters again: the window ends.</summary>
    public static async Task<RedisWindowStats> EndAsync(RedisServer redis, TimeSpan cpuAtStart, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(redis);
        var fields = Fields(await redis.CommandAsync(cancellationToken, "INFO", "cpu", "commandstats"));
        long calls = 0, microseconds = 0;
        foreach (var command in new[] { "cmdstat_eval", "cmdstat_evalsha" })
        {
            if (fields.TryGetValue(command, out var stats))
            {
                var values = stats.Split(',').Select(p => p.Split('=')).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
                calls += long.Parse(values["calls"], CultureInfo.InvariantCulture);
                microseconds += long.Parse(values["usec"], CultureInfo.InvariantCulture);
            }
        }

        return new RedisWindowStats(calls, TimeSpan.FromMicroseconds(microseconds), CpuTime(fields) - cpuAtStart);
    }

    private static TimeSpan CpuTime(Dictionary<string, string> fields) => TimeSpan.FromSeconds(
        double.Parse(fields["used_cpu_user"], CultureInfo.InvariantCulture) + double.Parse(fields["used_cpu_sys"], CultureInfo.InvariantCulture));

    // INFO's "name:value" lines; comments (# Section) and blank lines are left out.
    private static Dictionary<string, string> Fields(string info) => info
        .Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
        .Where(line => !line.StartsWith('#') && line.Contains(':', StringComparison.Ordinal))
        .Select(line => line.Split(':', 2))
        .ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
}
