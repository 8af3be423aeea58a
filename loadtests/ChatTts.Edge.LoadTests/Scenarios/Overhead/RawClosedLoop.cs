using ChatTts.Edge.LoadTests.Load;

namespace ChatTts.Edge.LoadTests.Scenarios.Overhead;

/// <summary>
/// <see cref="ClosedLoopLoad"/> for raw backend streams: the same model (a fixed number of clients, one stream at a
/// time each, back to back, their first streams spread over a ramp, a pause after a failure), so the raw paths and the
/// edge path are loaded alike. Every outcome is kept with its request's number.
/// </summary>
internal sealed class RawClosedLoop : IAsyncDisposable
{
    private static readonly TimeSpan LongestPause = TimeSpan.FromSeconds(10);

    private readonly CancellationTokenSource _abort;
    private readonly CancellationTokenSource _stopStarting;
    private readonly RawStreamClient _client;
    private readonly TimeProvider _time;
    private readonly Uri _url;
    private readonly Func<long, string> _text;
    private readonly Lock _gate = new();
    private readonly List<RawStreamOutcome> _outcomes = [];
    private long _requests = -1;
    private Task _clients = Task.CompletedTask;

    private RawClosedLoop(RawStreamClient client, TimeProvider time, Uri url, Func<long, string> text, CancellationToken cancellationToken)
    {
        _abort = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _stopStarting = CancellationTokenSource.CreateLinkedTokenSource(_abort.Token);
        _client = client;
        _time = time;
        _url = url;
        _text = text;
    }

    /// <summary>Starts <paramref name="clients"/> clients posting to <paramref name="url"/>, request <c>n</c> saying
    /// <paramref name="text"/>(<c>n</c>); cancelling the token cuts every stream.</summary>
    public static RawClosedLoop Start(
        int clients, Uri url, Func<long, string> text, RawStreamClient client, TimeProvider time, TimeSpan rampUp, CancellationToken cancellationToken)
    {
        var load = new RawClosedLoop(client, time, url, text, cancellationToken);
        load._clients = Task.WhenAll(Enumerable.Range(0, clients).Select(i =>
            Task.Run(() => load.ClientAsync(i, rampUp * i / clients), CancellationToken.None)));
        return load;
    }

    /// <summary>Every stream so far, in the order they ended.</summary>
    public IReadOnlyList<RawStreamOutcome> Outcomes()
    {
        lock (_gate)
        {
            return [.. _outcomes];
        }
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
            var outcome = await _client.RunAsync(_url, _text(number), _abort.Token);
            lock (_gate)
            {
                _outcomes.Add(outcome with { Stream = outcome.Stream with { Client = client, Number = number } });
            }

            if (outcome.Stream.Status != StreamStatus.Done)
            {
                var pause = outcome.Stream.RetryAfter is { } retryAfter && retryAfter > TimeSpan.Zero
                    ? TimeSpan.FromTicks(Math.Min(retryAfter.Ticks, LongestPause.Ticks))
                    : ClosedLoopLoad.FailurePause;
                await Task.Delay(pause, _time, _stopStarting.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }
}
