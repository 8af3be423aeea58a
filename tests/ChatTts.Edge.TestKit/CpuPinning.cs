namespace ChatTts.Edge.TestKit;

/// <summary>
/// Runs a child process on chosen CPUs with util-linux's <c>taskset</c>, so a proxy under test can have a core of its
/// own while the load generator (pinned to the others, e.g. <c>taskset -c 0 dotnet run …</c>) keeps off it.
/// </summary>
internal static class CpuPinning
{
    /// <summary>The program and arguments to start: <paramref name="program"/> itself, or <c>taskset -c cpus program …</c>.</summary>
    /// <param name="cpus">A CPU list as taskset reads it (<c>1</c>, <c>0,1</c>, <c>2-3</c>); null for no pinning.</param>
    public static (string Program, IReadOnlyList<string> Arguments) Command(string program, IEnumerable<string> arguments, string? cpus) =>
        cpus is null ? (program, [.. arguments]) : ("taskset", ["-c", cpus, program, .. arguments]);
}
