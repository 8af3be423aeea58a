using System.Globalization;

namespace ChatTts.Edge.LoadTests.Scenarios.Overhead;

/// <summary>
/// CPU time of every process on the machine from Linux's <c>/proc/&lt;pid&gt;/stat</c>, in clock ticks, split into this
/// run's (this process — the load generator and the emulated backend — and every process it started: the edge, nginx)
/// and everybody else's. Between two readings they tell whether a latency was the path's or the machine's: another
/// engineer's build on a shared machine shows up as the others' share.
/// </summary>
/// <remarks>Per-process times, not <c>/proc/stat</c>: the kernel keeps them from the scheduler's exact run times, while
/// the machine-wide counters are sampled and, in a VM under bursty network load, read far lower than the processes' sum.
/// A process that ended meanwhile still counts: its time moves to its parent's children's time, which is added.</remarks>
/// <param name="Run">Ticks spent by this process and its descendants.</param>
/// <param name="Others">Ticks spent by every other process, with the children they reaped.</param>
internal readonly record struct MachineCpu(long Run, long Others)
{
    private const double TicksPerSecond = 100; // USER_HZ, fixed by the kernel's ABI for /proc

    /// <summary>Now, or null where <c>/proc</c> cannot be read.</summary>
    public static MachineCpu? Read()
    {
        try
        {
            var root = System.Environment.ProcessId;
            var processes = new Dictionary<int, (int Parent, long Own, long Reaped)>();
            foreach (var folder in Directory.EnumerateDirectories("/proc"))
            {
                if (int.TryParse(Path.GetFileName(folder), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && Stat(folder) is { } stat)
                {
                    processes[pid] = stat;
                }
            }

            bool IsRun(int pid)
            {
                for (var hops = 0; hops < 64 && pid > 0; hops++)
                {
                    if (pid == root)
                    {
                        return true;
                    }

                    pid = processes.TryGetValue(pid, out var p) ? p.Parent : 0;
                }

                return false;
            }

            long run = 0, others = 0;
            foreach (var (pid, (_, own, reaped)) in processes)
            {
                if (IsRun(pid))
                {
                    run += own;
                }
                else
                {
                    others += own + reaped;
                }
            }

            return new MachineCpu(run, others);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The shares of all the machine's cores (0 to 1) that this run and the other processes used between two
    /// readings <paramref name="elapsed"/> apart; NaN when unknown.</summary>
    public static (double Run, double Others) Shares(MachineCpu? start, MachineCpu? end, TimeSpan elapsed)
    {
        var capacity = elapsed.TotalSeconds * TicksPerSecond * System.Environment.ProcessorCount;
        return start is { } s && end is { } e && capacity > 0
            ? ((e.Run - s.Run) / capacity, Math.Max(0, e.Others - s.Others) / capacity)
            : (double.NaN, double.NaN);
    }

    /// <summary>"pid (comm) state ppid …": ppid is the 2nd field after comm (which may hold spaces); utime, stime,
    /// cutime and cstime the 12th to 15th. Null when the process ended meanwhile.</summary>
    private static (int Parent, long Own, long Reaped)? Stat(string folder)
    {
        try
        {
            var stat = File.ReadAllText(Path.Combine(folder, "stat"));
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            long Field(int i) => long.Parse(fields[i], CultureInfo.InvariantCulture);
            return ((int)Field(1), Field(11) + Field(12), Field(13) + Field(14));
        }
        catch (Exception e) when (e is IOException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }
}
