using StackExchange.Redis;

namespace ChatTts.Edge.Redis;

/// <summary>What the edge's Redis connection needs to know.</summary>
/// <param name="Configuration">A StackExchange.Redis configuration string, e.g. <c>127.0.0.1:6379</c>.</param>
/// <param name="Timeout">The deadline of every call (and of connecting).</param>
internal sealed record RedisSettings(string Configuration, TimeSpan Timeout);

/// <summary>
/// The edge's connection to Redis, with a deadline on every call. A Redis that does not answer in time (frozen, swamped,
/// half-open network) is an outage, the same as one that is down: calls then fail at once with
/// <see cref="RedisUnavailableException"/>, without queueing more work on the stuck connection, while a <c>PING</c> probes
/// it every <see cref="ProbeInterval"/>; the first one answered in time ends the outage. The connection itself is made
/// and re-made in the background (a Redis that is down does not stop the edge from starting).
/// </summary>
internal sealed class RedisConnection : IDisposable
{
    /// <summary>How often an outage is probed.</summary>
    public static readonly TimeSpan ProbeInterval = TimeSpan.FromMilliseconds(500);

    private readonly Task<ConnectionMultiplexer> _connection;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private bool _outage;
    private long _nextProbe;
    private Task? _probe;

    public RedisConnection(RedisSettings settings, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _timeout = settings.Timeout;
        _time = time;
        var configuration = ConfigurationOptions.Parse(settings.Configuration);
        var milliseconds = (int)Math.Ceiling(settings.Timeout.TotalMilliseconds);
        configuration.AbortOnConnectFail = false; // start (and keep running) while Redis is down; reconnect in the background
        configuration.ConnectTimeout = milliseconds;
        configuration.SyncTimeout = milliseconds;
        configuration.AsyncTimeout = milliseconds;
        configuration.ConnectRetry = 1;
        _connection = ConnectionMultiplexer.ConnectAsync(configuration);
    }

    /// <summary>Completes once the first connection attempt has succeeded or failed (it goes on in the background).</summary>
    public Task ConnectAsync() => _connection;

    /// <summary>True while Redis is connected and answers in time.</summary>
    public bool IsAvailable
    {
        get
        {
            lock (_lock)
            {
                return !_outage && Connected() is not null;
            }
        }
    }

    /// <summary>Runs <paramref name="call"/> within the deadline.</summary>
    /// <exception cref="RedisUnavailableException">Redis is down, did not answer in time, or failed.</exception>
    public async Task<T> RunAsync<T>(Func<IDatabase, Task<T>> call)
    {
        ArgumentNullException.ThrowIfNull(call);
        ConnectionMultiplexer connection;
        lock (_lock)
        {
            connection = Connected() ?? throw new RedisUnavailableException("Redis is unreachable.");
            if (_outage)
            {
                ProbeIfDue(connection);
                throw new RedisUnavailableException("Redis did not answer in time; calls wait for a probe to get an answer.");
            }
        }

        try
        {
            return await call(connection.GetDatabase()).WaitAsync(_timeout, _time);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            lock (_lock)
            {
                _outage = true;
                _nextProbe = _time.GetTimestamp() + (long)(ProbeInterval.TotalSeconds * _time.TimestampFrequency);
            }

            throw new RedisUnavailableException(ex is TimeoutException ? $"Redis did not answer within {_timeout.TotalMilliseconds:0} ms." : "Redis failed.", ex);
        }
    }

    /// <summary>
    /// Hears the messages of <paramref name="channel"/> from now on (and again after every reconnection).
    /// </summary>
    /// <exception cref="RedisUnavailableException">Redis is unreachable now; subscribe again later.</exception>
    public async Task SubscribeAsync(string channel, Action<string> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var connection = Connected() ?? throw new RedisUnavailableException("Redis is unreachable.");
        try
        {
            await connection.GetSubscriber().SubscribeAsync(RedisChannel.Literal(channel), (_, message) => handler(message.ToString())).WaitAsync(_timeout, _time);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            throw new RedisUnavailableException("Redis did not take the subscription.", ex);
        }
    }

    public void Dispose()
    {
        if (_connection.IsCompletedSuccessfully)
        {
            _connection.Result.Dispose();
        }
    }

    private ConnectionMultiplexer? Connected() =>
        _connection.IsCompletedSuccessfully && _connection.Result is { IsConnected: true } connection ? connection : null;

    /// <summary>Starts a probe when none runs and one is due. Called under the lock.</summary>
    private void ProbeIfDue(ConnectionMultiplexer connection)
    {
        if (_probe is { IsCompleted: false } || _time.GetTimestamp() < _nextProbe)
        {
            return;
        }

        _nextProbe = _time.GetTimestamp() + (long)(ProbeInterval.TotalSeconds * _time.TimestampFrequency);
        _probe = ProbeAsync(connection);
    }

    private async Task ProbeAsync(ConnectionMultiplexer connection)
    {
        try
        {
            await connection.GetDatabase().PingAsync().WaitAsync(_timeout, _time);
            lock (_lock)
            {
                _outage = false;
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // Still out; the next call after the probe interval probes again.
        }
    }
}

/// <summary>Redis is down, or did not answer within the deadline.</summary>
internal sealed class RedisUnavailableException : Exception
{
    public RedisUnavailableException()
    {
    }

    public RedisUnavailableException(string message)
        : base(message)
    {
    }

    public RedisUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
