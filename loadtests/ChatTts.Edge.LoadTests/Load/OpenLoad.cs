namespace ChatTts.Edge.LoadTests.Load;

/// <summary>
/// An open load model: streams arrive at a rate, whether or not earlier ones have finished, as users of a web app
/// do. The rate ramps linearly from <see cref="OpenLoadShape.StartRate"/> to <see cref="OpenLoadShape.Rate"/> over
/// <see cref="OpenLoadShape.Ramp"/>, then holds. Arrivals are evenly spaced (no jitter), so two runs send the same
/// schedule. At most <see cref="OpenLoadShape.MaxInFlight"/> streams run at once: an arrival beyond that is counted
/// as dropped instead of piling up without bound, and the report says so.
/// </summary>
internal sealed class OpenLoad : IAsyncDisposable
{
    private readonly CancellationTokenSource _abort;
    private readonly CancellationTokenSource _stopStarting;
    private readonly SseStreamClient _client;
    private readonly LoadTally _tally;
    private readonly TimeProvider _time;
    private readonly Func<long, Uri> _url;
    private readonly OpenLoadShape _shape;
    private readonly List<Task> _streams = [];
    private readonly Lock _gate = new();
    private Task _arrivals = Task.CompletedTask;
    private int _inFlight;
    private int _dropped;

    private OpenLoad(OpenLoadShape shape, Func<long, Uri> url, SseStreamClient client, LoadTally tally, TimeProvider time, CancellationToken cancellationToken)
    {
        _shape = shape;
        _url = url;
        _client = client;
        _tally = tally;
        _time = time;
        _abort = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _stopStarting = CancellationTokenSource.CreateLinkedTokenSource(_abort.Token);
    }

    /// <summary>Arrivals that found <see cref="OpenLoadShape.MaxInFlight"/> streams running and were not sent.</summary>
    public int Dropped => Volatile.Read(ref _dropped);

    public static OpenLoad Start(OpenLoadShape shape, Func<long, Uri> url, SseStreamClient client, LoadTally tally, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var load = new OpenLoad(shape, url, client, tally, time, cancellationToken);
        load._arrivals = Task.Run(load.ArriveAsync, CancellationToken.None);
        return load;
    }

    /// <summary>Sends no more arrivals and lets the streams under way finish for up to <paramref name="drainTimeout"/>,
    /// then cuts the rest. Returns whether all finished in time.</summary>
    public async Task<bool> StopAsync(TimeSpan drainTimeout)
    {
        await _stopStarting.CancelAsync();
        await _arrivals;
        Task all;
        lock (_gate)
        {
            all = Task.WhenAll(_streams);
        }

        try
        {
            await all.WaitAsync(drainTimeout, _time);
            return true;
        }
        catch (TimeoutException)
        {
            await _abort.CancelAsync();
            await all;
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _abort.CancelAsync();
        await _arrivals.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        Task all;
        lock (_gate)
        {
            all = Task.WhenAll(_streams);
        }

        await all.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stopStarting.Dispose();
        _abort.Dispose();
    }

    private async Task ArriveAsync()
    {
        var started = _time.GetTimestamp();
        for (long number = 0; !_stopStarting.IsCancellationRequested; number++)
        {
            var due = _shape.ArrivalTime(number);
            var wait = due - _time.GetElapsedTime(started);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, _time, _stopStarting.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                if (_stopStarting.IsCancellationRequested)
                {
                    return;
                }
            }

            if (Interlocked.Increment(ref _inFlight) > _shape.MaxInFlight)
            {
                Interlocked.Decrement(ref _inFlight);
                Interlocked.Increment(ref _dropped);
                continue;
            }

            var stream = RunOneAsync(number);
            lock (_gate)
            {
                _streams.Add(stream);
            }
        }
    }

    private async Task RunOneAsync(long number)
    {
        await Task.Yield();
        try
        {
            var outcome = await _client.RunAsync(_url(number), _abort.Token);
            _tally.Add(outcome with { Number = number });
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }
}

/// <summary>The arrival schedule of an <see cref="OpenLoad"/>.</summary>
/// <param name="StartRate">Arrivals per second at the start.</param>
/// <param name="Rate">Arrivals per second after the ramp.</param>
/// <param name="Ramp">How long the rate takes to go from <paramref name="StartRate"/> to <paramref name="Rate"/>.</param>
/// <param name="MaxInFlight">Streams allowed at once; arrivals beyond are dropped.</param>
internal sealed record OpenLoadShape(double StartRate, double Rate, TimeSpan Ramp, int MaxInFlight)
{
    /// <summary>When arrival <paramref name="number"/> (0-based) is due, since the load started: the time at which the
    /// integral of the rate reaches <paramref name="number"/>.</summary>
    public TimeSpan ArrivalTime(long number)
    {
        var ramp = Ramp.TotalSeconds;
        var rampArrivals = (StartRate + Rate) / 2 * ramp;
        if (number >= rampArrivals || ramp <= 0)
        {
            return TimeSpan.FromSeconds(ramp + ((number - rampArrivals) / Rate));
        }

        // Within the ramp the rate is r(t) = a + b·t, so arrivals n(t) = a·t + b·t²/2; solve for t.
        var a = StartRate;
        var b = (Rate - StartRate) / ramp;
        var t = Math.Abs(b) < 1e-12 ? number / a : (-a + Math.Sqrt((a * a) + (2 * b * number))) / b;
        return TimeSpan.FromSeconds(t);
    }
}
