using System.Globalization;
using ChatTts.Edge.LoadTests.Reporting;

namespace ChatTts.Edge.LoadTests.Scenarios;

/// <summary>
/// One stream at a time, in rounds: each round runs one stream per client, in an order that rotates from round to round,
/// so a drift of the machine (another build, a GC, the CPU's clock) reaches every client alike and none always follows
/// the same one. The warm-up rounds come first and are not measured; progress is printed every 100 measured rounds.
/// </summary>
internal static class RotatingRounds
{
    /// <param name="run">Runs one stream of a client; its flag says whether the stream is measured.</param>
    /// <param name="failed">Whether a stream failed, for the progress lines.</param>
    public static async Task<List<TStream>> RunAsync<TClient, TStream>(IReadOnlyList<TClient> clients, int warmupRounds, int measuredRounds,
        Func<TClient, bool, CancellationToken, Task<TStream>> run, Func<TStream, bool> failed, ScenarioContext context, CancellationToken cancellationToken)
    {
        var streams = new List<TStream>();
        var started = context.Time.GetTimestamp();
        for (var round = 0; round < warmupRounds + measuredRounds; round++)
        {
            var measured = round >= warmupRounds;
            for (var i = 0; i < clients.Count; i++)
            {
                streams.Add(await run(clients[(round + i) % clients.Count], measured, cancellationToken));
            }

            var done = measured ? round + 1 - warmupRounds : round + 1;
            if (done == (measured ? measuredRounds : warmupRounds) || (measured && done % 100 == 0))
            {
                await context.Output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"  {(measured ? "measured" : "warm-up")} rounds: {done}, streams failed so far: {streams.Count(failed)}, " +
                    $"elapsed {Figures.Seconds(context.Time.GetElapsedTime(started))}"));
            }
        }

        return streams;
    }
}
