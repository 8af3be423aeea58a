using System.Globalization;
using ChatTts.Edge.LoadTests.Environment;
using ChatTts.Edge.LoadTests.Reporting;

namespace ChatTts.Edge.LoadTests.Scenarios.OpenAi;

/// <summary>What one route measured: the first audio of its measured streams that completed, and why others failed.</summary>
internal sealed record RouteFigures(SpeechRoute Route, int Streams, int Failed, IReadOnlyList<TimeSpan> FirstAudio, IReadOnlyDictionary<string, int> Failures)
{
    public TimeSpan? Percentile(double percent) => Figures.Percentile(FirstAudio, percent);
}

/// <summary>
/// One client per route, one stream at a time, in rounds: each round runs one stream per route, in an order that rotates
/// from round to round, so a drift of the machine reaches every route alike. The warm-up rounds come first, unmeasured.
/// </summary>
internal static class OpenAiMeasurement
{
    public static async Task<(IReadOnlyList<RouteFigures> Routes, TimeSpan Elapsed)> RunAsync(
        LocalEnvironment environment, OpenAiSettings settings, ScenarioContext context, CancellationToken cancellationToken)
    {
        var proxy = environment.ProxyAddresses[0];
        var clients = SpeechRoutes.All.Select(r => new SpeechRouteClient(r, proxy, context.Time)).ToList();
        var streams = new List<RouteStream>();
        var started = context.Time.GetTimestamp();
        try
        {
            var rounds = settings.WarmupStreams + settings.Streams;
            for (var round = 0; round < rounds; round++)
            {
                var measured = round >= settings.WarmupStreams;
                for (var i = 0; i < clients.Count; i++)
                {
                    streams.Add(await clients[(round + i) % clients.Count].RunAsync(measured, cancellationToken));
                }

                var done = measured ? round + 1 - settings.WarmupStreams : round + 1;
                if (done == (measured ? settings.Streams : settings.WarmupStreams) || (measured && done % 100 == 0))
                {
                    await context.Output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                        $"  {(measured ? "measured" : "warm-up")} rounds: {done}, streams failed so far: {streams.Count(s => s.Failure is not null)}, " +
                        $"elapsed {Figures.Seconds(context.Time.GetElapsedTime(started))}"));
                }
            }
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
