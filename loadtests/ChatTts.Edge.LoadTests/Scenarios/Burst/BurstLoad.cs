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
    private readonly CancellationTokenSource _abort;
    private readonly CancellationTokenSource _stopStarting;
    private readonly SseStreamClient _client;
    private readonly LoadTally _tally;
    private readonly TimeProvider _time;
    private readonly Func<long, Uri> _url;
    private readonly long _maxRequests;
    private long _requests = -1;
    private Task _clients = Task.CompletedTask;

    private BurstLoad(SseStreamClient client, LoadTally tally, TimeProvider time, Func<long, Uri> url, long maxRequests, CancellationToken cancellationToken)
    {
        _abort = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _stopStarting = CancellationTokenSource.CreateLinkedTokenSource(_abort.Token);
        _client = client;
        _tally = tally;
        _time = time;
        _url = url;
        _maxRequests = maxRequests;
    }

    /// <summary>Starts <paramref name="clients"/> clients at once, request <c>n</c> (0, 1, 2 …) going to
    /// <paramref name="url"/>(n); cancelling the token cuts every stream.</summary>
    public static BurstLoad Start(
        int clients, long maxRequests, Func<long, Uri> url, SseStreamClient client, LoadTally tally, TimeProvider time, CancellationToken cancellationToken)
    {
        var load = new BurstLoad(client, tally, time, url, maxRequests, cancellationToken);
        load._clients = Task.WhenAll(Enumerable.Range(0, clients).Select(i => Task.Run(() => load.ClientAsync(i), CancellationToken.None)));
        return load;
    }

    /// <summary>Runs until <paramref name="duration"/> is over or the last request allowed has ended, then starts no
    /// more and lets those under way finish for up to <paramref name="drainTimeout"/> before cutting them.
    /// Returns whether all finished in time.</summary>
    public async Task<bool> RunAsync(TimeSpan duration, TimeSpan drainTimeout)
    {
        using (var stopWaiting = CancellationTokenSource.CreateLinkedTokenSource(_abort.Token))
        {
            var over = Task.Delay(duration, _time, stopWaiting.Token);
            await Task.WhenAny(_clients, over);
            await stopWaiting.CancelAsync();
            await over.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        await _stopStarting.CancelAsync();
        try
        {
            await _clients.WaitAsync(drainTimeout, _time);
            return true;
        }
        catch (TimeoutException)
        {
            await _abort.CancelAsync();
            await _clients;
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _abort.CancelAsync();
        await _clients.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stopStarting.Dispose();
        _abort.Dispose();
    }

    private async Task ClientAsync(int client)
    {
        while (!_stopStarting.IsCancellationRequested)
        {
            var number = Interlocked.Increment(ref _requests);
            if (number >= _maxRequests)
            {
                return;
            }

            var outcome = await _client.RunAsync(_url(number), _abort.Token);
            _tally.Add(outcome with { Client = client, Number = number });
        }
    }
}
