using ChatTts.Edge.LoadTests.Load;

namespace ChatTts.Edge.LoadTests.Scenarios.Burst;

/// <summary>
/// A burst: clients that send their next request the moment the last one ended, whatever it was, and so never honour
/// <c>Retry-After</c> (unlike <see cref="ClosedLoopLoad"/>, which pauses after a failure). Bounded twice: no request
/// starts after the duration, nor beyond a number of requests, so a proxy that answers in microseconds cannot make
/// the run unbounded.
/// </summary>
internal sealed class BurstLoad : IAsyncDisposable
{
    private readonly LoadClients _clients;
    private readonly TimeProvider _time;

    private BurstLoad(LoadClients clients, TimeProvider time)
    {
        _clients = clients;
        _time = time;
    }

    /// <summary>Starts <paramref name="clients"/> clients at once, request <c>n</c> (0, 1, 2 …) going to
    /// <paramref name="url"/>(n); cancelling the token cuts every stream.</summary>
    public static BurstLoad Start(
        int clients, long maxRequests, Func<long, Uri> url, SseStreamClient client, LoadTally tally, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(tally);
        var requests = new RequestNumbers();
        return new BurstLoad(LoadClients.Start(clients, async (i, signals) =>
        {
            while (!signals.StopStarting.IsCancellationRequested && requests.Next() is var number && number < maxRequests)
            {
                var outcome = await client.RunAsync(url(number), signals.Abort);
                tally.Add(outcome with { Client = i, Number = number });
            }
        }, time, cancellationToken), time);
    }

    /// <summary>Runs until <paramref name="duration"/> is over or the last request allowed has ended, then starts no
    /// more and lets those under way finish for up to <paramref name="drainTimeout"/> before cutting them.
    /// Returns whether all finished in time.</summary>
    public async Task<bool> RunAsync(TimeSpan duration, TimeSpan drainTimeout)
    {
        using (var stopWaiting = new CancellationTokenSource())
        {
            var over = Task.Delay(duration, _time, stopWaiting.Token);
            await Task.WhenAny(_clients.Completion, over);
            await stopWaiting.CancelAsync();
            await over.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        return await _clients.StopAsync(drainTimeout);
    }

    public ValueTask DisposeAsync() => _clients.DisposeAsync();
}
