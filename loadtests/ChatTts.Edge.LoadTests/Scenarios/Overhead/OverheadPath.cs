namespace ChatTts.Edge.LoadTests.Scenarios.Overhead;

/// <summary>
/// One of the three ways the overhead scenario reaches the same emulated backend: directly, through ChatTts.Edge, or
/// through nginx. <see cref="Name"/> prefixes the path's metrics (<c>direct.ttfa.p99</c>).
/// </summary>
/// <param name="Name">The metric prefix and the report's label.</param>
/// <param name="IsRaw">Whether the client reads the backend's own stream (a chunked WAV) rather than the edge's SSE.</param>
/// <param name="What">One line for the report: what the client asks of whom.</param>
internal sealed record OverheadPath(string Name, bool IsRaw, string What)
{
    public static readonly OverheadPath Direct = new("direct", IsRaw: true,
        "POST /v1/audio/speech straight to the emulated backend; its chunked WAV stream read to the end");

    public static readonly OverheadPath Edge = new("edge", IsRaw: false,
        "GET /v1/tts/stream through ChatTts.Edge (SSE; every audio event decoded and checked)");

    public static readonly OverheadPath Nginx = new("nginx", IsRaw: true,
        "the same POST as direct through nginx (proxy_buffering off, kept-alive HTTP/1.1 upstream)");

    /// <summary>In the order of a forward round and of the report.</summary>
    public static readonly IReadOnlyList<OverheadPath> All = [Direct, Edge, Nginx];

    /// <summary>The rounds' schedule: forward in even rounds, backward in odd ones (direct, edge, nginx, then
    /// nginx, edge, direct …), so over two rounds every path sits at the same mean position in the run and a load on
    /// the machine that rises or falls steadily during the run weighs on all three alike.</summary>
    public static IReadOnlyList<(int Round, OverheadPath Path)> Schedule(int rounds) =>
        [.. Enumerable.Range(0, rounds).SelectMany(round => (round % 2 == 0 ? All : All.Reverse()).Select(path => (round, path)))];
}
