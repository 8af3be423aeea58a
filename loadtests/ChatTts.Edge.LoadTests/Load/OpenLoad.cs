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
    private readonly LoadClients _arrivals;
    private readonly Counter _dropped;

    private OpenLoad(LoadClients arrivals, Counter dropped)
    {
        _arrivals = arrivals;
        _dropped = dropped;
    }

    /// <summary>Arrivals that found <see cref="OpenLoadShape.MaxInFlight"/> streams running and were not sent.</summary>
    public int Dropped => _dropped.Value;

    public static OpenLoad Start(OpenLoadShape shape, Func<long, Uri> url, SseStreamClient client, LoadTally tally, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(tally);
        var dropped = new Counter();

        // One loop sends the arrivals and, once no more may start, waits for the streams it started: to the load's
        // stop and drain it is a single client.
        return new OpenLoad(LoadClients.Start(1, (_, signals) => ArriveAsync(shape, url, client, tally, dropped, signals), time, cancellationToken), dropped);
    }

    /// <inheritdoc cref="LoadClients.StopAsync"/>
    public Task<bool> StopAsync(TimeSpan drainTimeout) => _arrivals.StopAsync(drainTimeout);

    public ValueTask DisposeAsync() => _arrivals.DisposeAsync();

    private static async Task ArriveAsync(
        OpenLoadShape shape, Func<long, Uri> url, SseStreamClient client, LoadTally tally, Counter dropped, LoadSignals signals)
    {
        var streams = new List<Task>();
        var inFlight = new Counter();
        var started = signals.Time.GetTimestamp();
        for (long number = 0; ; number++)
        {
            await signals.PauseAsync(shape.ArrivalTime(number) - signals.Time.GetElapsedTime(started));
            if (signals.StopStarting.IsCancellationRequested)
            {
                break;
            }

            if (inFlight.Increment() > shape.MaxInFlight)
            {
                inFlight.Decrement();
                dropped.Increment();
                continue;
            }

            streams.Add(RunOneAsync(number));
        }

        await Task.WhenAll(streams);

        async Task RunOneAsync(long number)
        {
            await Task.Yield();
            try
            {
                var outcome = await client.RunAsync(url(number), signals.Abort);
                tally.Add(outcome with { Number = number });
            }
            finally
            {
                inFlight.Decrement();
            }
        }
    }

    /// <summary>A count shared between threads.</summary>
    private sealed class Counter
    {
        private int _value;

        public int Value => Volatile.Read(ref _value);

        public int Increment() => Interlocked.Increment(ref _value);

        public void Decrement() => Interlocked.Decrement(ref _value);
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
