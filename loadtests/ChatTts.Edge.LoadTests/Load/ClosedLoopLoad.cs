namespace ChatTts.Edge.LoadTests.Load;

/// <summary>
/// A closed load model: a fixed number of clients, each opening one stream at a time, back to back. A failed
/// stream is followed by a pause (the refusal's <c>Retry-After</c>, as a polite client honours it, or
/// <see cref="FailurePause"/>), so a proxy that refuses cannot turn the clients into a busy loop.
/// </summary>
internal sealed class ClosedLoopLoad : IAsyncDisposable
{
    /// <summary>The pause after a failure that names no <c>Retry-After</c>.</summary>
    public static readonly TimeSpan FailurePause = TimeSpan.FromMilliseconds(100);

    private static readonly TimeSpan LongestPause = TimeSpan.FromSeconds(10);

    private readonly CancellationTokenSource _abort;
    private readonly CancellationTokenSource _stopStarting;
    private readonly SseStreamClient _client;
    private readonly LoadTally _tally;
    private readonly TimeProvider _time;
    private readonly Func<long, Uri> _url;
    private long _requests = -1;
    private readonly TimeSpan _thinkTime;
    private Task _clients = Task.CompletedTask;

    private ClosedLoopLoad(SseStreamClient client, LoadTally tally, TimeProvider time, Func<long, Uri> url, TimeSpan thinkTime, CancellationToken cancellationToken)
    {
        _thinkTime = thinkTime;
        _abort = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _stopStarting = CancellationTokenSource.CreateLinkedTokenSource(_abort.Token);
        _client = client;
        _tally = tally;
        _time = time;
        _url = url;
    }

    /// <summary>
    /// Starts <paramref name="clients"/> clients streaming <paramref name="url"/>, each pausing <paramref name="thinkTime"/>
    /// between two streams; cancelling the token cuts every stream.
    /// </summary>
    public static ClosedLoopLoad Start(int clients, Uri url, SseStreamClient client, LoadTally tally, TimeProvider time, CancellationToken cancellationToken, TimeSpan thinkTime = default) =>
        Start(clients, _ => url, client, tally, time, cancellationToken, thinkTime);

    /// <summary>As the other overload, each request's URL made from its number in the run (0, 1, 2 …), the clients'
    /// first streams spread evenly over <paramref name="rampUp"/> (thousands of connections at once would only measure
    /// the listen backlog).</summary>
    public static ClosedLoopLoad Start(
        int clients, Func<long, Uri> url, SseStreamClient client, LoadTally tally, TimeProvider time, CancellationToken cancellationToken,
        TimeSpan thinkTime = default, TimeSpan rampUp = default)
    {
        var load = new ClosedLoopLoad(client, tally, time, url, thinkTime, cancellationToken);
        load._clients = Task.WhenAll(Enumerable.Range(0, clients).Select(i =>
            Task.Run(() => load.ClientAsync(i, rampUp * i / clients), CancellationToken.None)));
        return load;
    }

    /// <summary>Starts no more streams and lets those under way finish for up to <paramref name="drainTimeout"/>,
    /// then cuts the rest. Returns whether all finished in time.</summary>
    public async Task<bool> StopAsync(TimeSpan drainTimeout)
    {
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

    private async Task ClientAsync(int client, TimeSpan startAfter)
    {
        if (startAfter > TimeSpan.Zero)
        {
            await Task.Delay(startAfter, _time, _stopStarting.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        while (!_stopStarting.IsCancellationRequested)
        {
            var number = Interlocked.Increment(ref _requests);
            var outcome = await _client.RunAsync(_url(number), _abort.Token);
            _tally.Add(outcome with { Client = client, Number = number });
            if (outcome.Status != StreamStatus.Done)
            {
                var pause = outcome.RetryAfter is { } retryAfter && retryAfter > TimeSpan.Zero
                    ? TimeSpan.FromTicks(Math.Min(retryAfter.Ticks, LongestPause.Ticks))
                    : FailurePause;
                await Task.Delay(pause, _time, _stopStarting.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            else if (_thinkTime > TimeSpan.Zero)
            {
                await Task.Delay(_thinkTime, _time, _stopStarting.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }
}
