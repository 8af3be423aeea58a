using System.Globalization;
using ChatTts.Edge.LoadTests.Environment;
using ChatTts.Edge.LoadTests.Load;
using ChatTts.Edge.LoadTests.Reporting;

namespace ChatTts.Edge.LoadTests.Scenarios.Overhead;

/// <summary>The hey cross-check: what hey was asked to do and what it measured.</summary>
internal sealed record HeyCrossCheck(Uri Url, int Requests, int Concurrency, HeyResult Result);

/// <summary>What the overhead scenario measured: every turn of every path, the hey cross-check, and whether the proxy
/// or nginx died meanwhile.</summary>
internal sealed record OverheadMeasurement(IReadOnlyList<OverheadTurn> Turns, HeyCrossCheck? Hey, bool ProxyExited, bool NginxExited)
{
    /// <summary>Priming rounds are repeated until, in one of them, the JIT used at most this share of a core on every path
    /// (in the second half of each path's priming turn).</summary>
    public const double WarmJitShare = 0.02;

    /// <summary>The most priming rounds before the measured rounds start, warm or not.</summary>
    public const int MaxPrimings = 12;

    /// <summary>Nothing measured: its metrics name every metric the scenario has (with no values).</summary>
    public static readonly OverheadMeasurement Empty = new([], null, ProxyExited: false, NginxExited: false);

    /// <summary>How many priming rounds ran before the measured ones.</summary>
    public int Primings { get; init; }

    /// <summary>The window streams of every turn of <paramref name="path"/>.</summary>
    public IReadOnlyList<StreamOutcome> InWindow(OverheadPath path) => [.. TurnsOf(path).SelectMany(t => t.InWindow)];

    /// <summary>The windows of every turn of <paramref name="path"/>, added up.</summary>
    public TimeSpan Window(OverheadPath path) => TurnsOf(path).Aggregate(TimeSpan.Zero, (sum, t) => sum + t.Window);

    /// <summary>The edge's last turn's chart data (the proxy is warm by then).</summary>
    public Timeline? EdgeTimeline => TurnsOf(OverheadPath.Edge).LastOrDefault()?.Timeline;

    public IEnumerable<OverheadTurn> TurnsOf(OverheadPath path) => Turns.Where(t => t.Path == path);

    /// <summary>Fills the backend's cache and primes every path (unmeasured), runs the rounds (see <see cref="OverheadPath.Schedule"/>) against the
    /// environment's one backend, the proxy in front of it and nginx in front of it, then hey through the proxy.</summary>
    public static async Task<OverheadMeasurement> RunAsync(
        OverheadSettings settings, LocalEnvironment environment, NginxProcess nginx, ScenarioContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(nginx);
        ArgumentNullException.ThrowIfNull(context);
        var speech = new Uri("v1/audio/speech", UriKind.Relative);
        Task<OverheadTurn> TurnAsync(OverheadPath path, int round, string label, ScenarioContext turn) => path == OverheadPath.Edge
            ? OverheadTurns.EdgeAsync(round, label, settings, environment.ProxyAddress, environment.ProxyProcessId, turn, cancellationToken)
            : OverheadTurns.RawAsync(path, round, label, settings,
                new Uri(path == OverheadPath.Direct ? environment.Backends[0].Emulator.BaseAddress : nginx.Address, speech), turn, cancellationToken);

        await OverheadTurns.FillBackendCacheAsync(settings, new Uri(environment.Backends[0].Emulator.BaseAddress, speech), context.Time, cancellationToken);
        var turn = context with { Run = settings.Turn(context.Run) };
        var priming = context with { Run = turn.Run with { Duration = settings.Priming(context.Run) } };
        var primings = 0;
        for (var warm = false; !warm && primings < MaxPrimings; primings++)
        {
            // Until the runtime's background JIT is done with the edge and with this process's clients: its work would
            // otherwise be charged to the windows (as CPU per event, and as the cores it takes from every path's tail).
            var jit = new List<double>();
            foreach (var path in OverheadPath.All)
            {
                jit.Add((await TurnAsync(path, -1, string.Create(CultureInfo.InvariantCulture, $"priming {primings + 1} {path.Name}"), priming)).JitShare);
            }

            warm = jit.All(share => !(share > WarmJitShare));
        }

        var turns = new List<OverheadTurn>();
        foreach (var (round, path) in OverheadPath.Schedule(settings.Rounds))
        {
            turns.Add(await TurnAsync(path, round, string.Create(CultureInfo.InvariantCulture, $"{path.Name} {round + 1}/{settings.Rounds}"), turn));
        }

        var hey = await CrossCheckAsync(settings, environment.ProxyAddress, context, cancellationToken);
        return new OverheadMeasurement(turns, hey, environment.ProxyExited, nginx.HasExited) { Primings = primings };
    }

    /// <summary>hey GETs the edge's stream URL (reading each SSE response to its end) at the clients' concurrency, with
    /// one of the turns' texts of typical length, so its whole-response times compare with the edge turns' <c>total</c>.</summary>
    private static async Task<HeyCrossCheck> CrossCheckAsync(
        OverheadSettings settings, Uri proxy, ScenarioContext context, CancellationToken cancellationToken)
    {
        var url = settings.Stream.StreamUrl(proxy, OverheadSettings.TextNumber(OverheadSettings.DistinctTexts / 2));
        await context.Output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"  cross-check: hey -n {settings.HeyRequests} -c {settings.Clients} through the edge …"));
        var result = await HeyRun.RunAsync(url, settings.HeyRequests, settings.Clients, new Dictionary<string, string>(), context.Time, cancellationToken);
        return new HeyCrossCheck(url, settings.HeyRequests, settings.Clients, result);
    }
}
