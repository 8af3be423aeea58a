using ChatTts.Edge.LoadTests.Environment;
using ChatTts.Edge.LoadTests.Reporting;

namespace ChatTts.Edge.LoadTests.Scenarios.OpenAi;

/// <summary>What one route measured: the first audio of its measured streams that completed, and why others failed.</summary>
internal sealed record RouteFigures(SpeechRoute Route, int Streams, int Failed, IReadOnlyList<TimeSpan> FirstAudio, IReadOnlyDictionary<string, int> Failures)
{
    public TimeSpan? Percentile(double percent) => Figures.Percentile(FirstAudio, percent);
}

/// <summary>One client per route, one stream at a time, in <see cref="RotatingRounds"/>.</summary>
internal static class OpenAiMeasurement
{
    public static async Task<(IReadOnlyList<RouteFigures> Routes, TimeSpan Elapsed)> RunAsync(
        LocalEnvironment environment, OpenAiSettings settings, ScenarioContext context, CancellationToken cancellationToken)
    {
        var proxy = environment.ProxyAddresses[0];
        var clients = SpeechRoutes.All.Select(r => new SpeechRouteClient(r, proxy, context.Time)).ToList();
        var started = context.Time.GetTimestamp();
        List<RouteStream> streams;
        try
        {
            streams = await RotatingRounds.RunAsync(clients, settings.WarmupStreams, settings.Streams, static (c, measured, ct) => c.RunAsync(measured, ct),
                static s => s.Failure is not null, context, cancellationToken);
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }

        var figures = SpeechRoutes.All.Select(route =>
        {
            var ours = streams.Where(s => s.Route == route).ToList();
            var measured = ours.Where(s => s.Measured).ToList();
            return new RouteFigures(route, measured.Count, measured.Count(s => s.Failure is not null),
                [.. measured.Where(s => s.FirstAudio is not null).Select(s => s.FirstAudio!.Value)],
                ours.Where(s => s.Failure is not null).GroupBy(s => s.Failure!).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal));
        }).ToList();
        return (figures, context.Time.GetElapsedTime(started));
    }
}
