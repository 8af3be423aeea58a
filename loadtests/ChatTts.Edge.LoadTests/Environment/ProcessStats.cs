using System.Globalization;

namespace ChatTts.Edge.LoadTests.Environment;

/// <summary>A process's CPU time and resident memory as Linux's <c>/proc</c> reports them.</summary>
internal static class ProcessStats
{
    /// <summary>User plus system CPU time so far, or null when <c>/proc</c> cannot tell (not Linux, process gone).</summary>
    public static TimeSpan? CpuTime(int processId)
    {
        try
        {
            // /proc/<pid>/stat: "pid (comm) state …", utime and stime are fields 14 and 15, in clock ticks; comm may
            // hold spaces, so fields are counted after its closing parenthesis.
            var stat = File.ReadAllText($"/proc/{processId}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            return TimeSpan.FromSeconds(ticks / (double)ClockTicksPerSecond);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>
    /// CPU ticks so far of each of the runtime's tiered-compilation workers (threads named <c>.NET Tiered Compilation</c>,
    /// which re-compile hot methods optimized in the background), by thread id; null when <c>/proc</c> cannot tell.
    /// </summary>
    public static Dictionary<int, long>? JitThreadTicks(int processId)
    {
        try
        {
            var ticks = new Dictionary<int, long>();
            foreach (var task in Directory.EnumerateDirectories($"/proc/{processId}/task"))
            {
                // comm is cut to 15 characters by the kernel: ".NET Tiered Com".
                var stat = TryRead(Path.Combine(task, "stat"));
                var open = stat?.IndexOf('(', StringComparison.Ordinal) ?? -1;
                var close = stat?.LastIndexOf(')') ?? -1;
                if (stat is not null && open >= 0 && close > open && stat.AsSpan(open + 1, close - open - 1).StartsWith(".NET Tiered", StringComparison.Ordinal))
                {
                    var fields = stat[(close + 2)..].Split(' ');
                    ticks[int.Parse(Path.GetFileName(task), CultureInfo.InvariantCulture)] =
                        long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                }
            }

            return ticks;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>Ticks as a time (USER_HZ).</summary>
    public static TimeSpan FromTicks(long ticks) => TimeSpan.FromSeconds(ticks / (double)ClockTicksPerSecond);

    private static string? TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // a thread that ended meanwhile
        }
    }

    /// <summary>Resident memory now (<c>VmRSS</c>) and at its peak (<c>VmHWM</c>), in bytes; null when unknown.</summary>
    public static (long Now, long Peak)? ResidentMemory(int processId)
    {
        try
        {
            long? now = null, peak = null;
            foreach (var line in File.ReadLines($"/proc/{processId}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    now = Kilobytes(line) * 1024;
                }
                else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    peak = Kilobytes(line) * 1024;
                }
            }

            return now is { } n && peak is { } p ? (n, p) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    /// <summary>USER_HZ: 100 on every Linux this runs on (it is fixed by the kernel's ABI for /proc).</summary>
    private const int ClockTicksPerSecond = 100;

    private static long Kilobytes(string line) =>
        long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
}
