using System.Runtime.InteropServices;

namespace ChatTts.Edge.LoadTests.Environment;

/// <summary>
/// Raises this process's open-file limit (which the proxy and servers it starts inherit): ten thousand streams take
/// a socket each at the client, at the proxy twice (in and out) and at the emulated backend, more than the usual
/// soft limit. Linux only; elsewhere, or when not allowed, the limit stays as it was.
/// </summary>
internal static class FileLimits
{
    private const int RlimitNofile = 7;

    /// <summary>Raises the soft limit (and, when privileged, the hard limit) to at least <paramref name="wanted"/>;
    /// returns the soft limit in force afterwards, or null when it cannot be read.</summary>
    public static long? Raise(long wanted)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        var limit = default(RLimit);
        if (NativeMethods.getrlimit(RlimitNofile, ref limit) != 0)
        {
            return null;
        }

        if (limit.Current >= (ulong)wanted)
        {
            return (long)limit.Current;
        }

        var raised = new RLimit { Current = (ulong)wanted, Maximum = Math.Max(limit.Maximum, (ulong)wanted) };
        if (NativeMethods.setrlimit(RlimitNofile, ref raised) != 0)
        {
            // Not privileged: as far as the hard limit allows.
            raised = limit with { Current = limit.Maximum };
            _ = NativeMethods.setrlimit(RlimitNofile, ref raised);
        }

        return NativeMethods.getrlimit(RlimitNofile, ref limit) == 0 ? (long)limit.Current : null;
    }

    [StructLayout(LayoutKind.Sequential)]
    private record struct RLimit(ulong Current, ulong Maximum);

    private static class NativeMethods
    {
        [DllImport("libc", SetLastError = true)]
        public static extern int getrlimit(int resource, ref RLimit limit);

        [DllImport("libc", SetLastError = true)]
        public static extern int setrlimit(int resource, ref RLimit limit);
    }
}
