namespace ChatTts.Edge.LoadTests.Load;

/// <summary>
/// What every load model shares: client loops run as tasks, each given two signals — <see cref="LoadSignals.StopStarting"/>
/// (start no more streams) and <see cref="LoadSignals.Abort"/> (cut the streams under way) — and one way to end them:
/// stop starting, let the streams under way finish for a drain timeout, then cut the rest.
/// </summary>
internal sealed class LoadClients : IAsyncDisposable
{
    private readonly CancellationTokenSource _abort;
    private readonly CancellationTokenSource _stopStarting;
    private readonly TimeProvider _time;
    private Task _clients = Task.CompletedTask;

    private LoadClients(TimeProvider time, CancellationToken cancellationToken)
    {
        _time = time;
        _abort = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _stopStarting = CancellationTokenSource.CreateLinkedTokenSource(_abort.Token);
    }

    /// <summary>Completes when every client loop has returned.</summary>
    public Task Completion => _clients;

    /// <summary>Starts <paramref name="clients"/> loops, each on the thread pool; cancelling the token cuts every stream.</summary>
    public static LoadClients Start(int clients, Func<int, LoadSignals, Task> client, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var load = new LoadClients(time, cancellationToken);
        var signals = new LoadSignals(time, load._stopStarting.Token, load._abort.Token);
        load._clients = Task.WhenAll(Enumerable.Range(0, clients).Select(i => Task.Run(() => client(i, signals), CancellationToken.None)));
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
}

/// <summary>A client loop's signals: stop starting streams; cut the streams under way.</summary>
internal readonly record struct LoadSignals(TimeProvider Time, CancellationToken StopStarting, CancellationToken Abort)
{
    /// <summary>Waits <paramref name="delay"/>, or less when the load stops starting streams; never throws for that.</summary>
    public async Task PauseAsync(TimeSpan delay)
    {
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, Time, StopStarting).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }
}
