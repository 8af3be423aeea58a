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

    private readonly LoadClients _clients;

    private ClosedLoopLoad(LoadClients clients) => _clients = clients;

    /// <summary>
    /// Starts <paramref name="clients"/> clients streaming <paramref name="url"/>, each pausing <paramref name="thinkTime"/>
    /// between two streams; cancelling the token cuts every stream.
    /// </summary>
    public static ClosedLoopLoad Start(int clients, Uri url, SseStreamClient client, LoadTally tally, TimeProvider time, CancellationToken cancellationToken, TimeSpan thinkTime = default) =>
        Start(clients, _ => url, client, tally, time, cancellationToken, thinkTime);

    /// <summary>As the other overload, each request's URL made from its number in the run (0, 1, 2 …), the clients'
    /// first streams spread evenly over <paramref name="rampUp"/> (thousands of connections at once would only measure
    /// the listen backlog).</summary>
    /// <param name="giveUpAfterAudio">For request number n, after how many audio events its client leaves the stream
    /// on purpose (null: it reads the stream to its end); none gives up when this is null.</param>
    public static ClosedLoopLoad Start(
        int clients, Func<long, Uri> url, SseStreamClient client, LoadTally tally, TimeProvider time, CancellationToken cancellationToken,
        TimeSpan thinkTime = default, TimeSpan rampUp = default, Func<long, int?>? giveUpAfterAudio = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(tally);
        var requests = new RequestNumbers();
        return new ClosedLoopLoad(LoadClients.Start(clients, (i, signals) => Loop(clients, i, rampUp, signals, async (number, abort) =>
        {
            var outcome = await client.RunAsync(url(number), abort, giveUpAfterAudio?.Invoke(number));
            tally.Add(outcome with { Client = i, Number = number });
            return outcome.Status is StreamStatus.Done or StreamStatus.GaveUp ? thinkTime : PauseAfter(outcome);
        }, requests), time, cancellationToken));
    }

    /// <summary>
    /// One closed-loop client, whatever it streams: its first stream after its share of <paramref name="rampUp"/>,
    /// then one stream after another, each followed by the pause <paramref name="stream"/> returns, until the load
    /// stops starting streams. <paramref name="stream"/> gets the request's number in the run and the abort signal.
    /// </summary>
    public static async Task Loop(
        int clients, int client, TimeSpan rampUp, LoadSignals signals, Func<long, CancellationToken, Task<TimeSpan>> stream, RequestNumbers requests)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(requests);
        await signals.PauseAsync(rampUp * client / Math.Max(clients, 1));
        while (!signals.StopStarting.IsCancellationRequested)
        {
            await signals.PauseAsync(await stream(requests.Next(), signals.Abort));
        }
    }

    /// <summary>How long a polite client waits after a failed stream: its <c>Retry-After</c> (at most 10 s), or
    /// <see cref="FailurePause"/>.</summary>
    public static TimeSpan PauseAfter(StreamOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        return outcome.RetryAfter is { } retryAfter && retryAfter > TimeSpan.Zero
            ? TimeSpan.FromTicks(Math.Min(retryAfter.Ticks, LongestPause.Ticks))
            : FailurePause;
    }

    /// <inheritdoc cref="LoadClients.StopAsync"/>
    public Task<bool> StopAsync(TimeSpan drainTimeout) => _clients.StopAsync(drainTimeout);

    public ValueTask DisposeAsync() => _clients.DisposeAsync();
}

/// <summary>Numbers a run's requests 0, 1, 2 … across all its clients. Thread-safe.</summary>
internal sealed class RequestNumbers
{
    private long _last = -1;

    public long Next() => Interlocked.Increment(ref _last);
}
