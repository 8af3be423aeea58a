using Microsoft.Extensions.Options;

namespace ChatTts.Edge.Hosting;

/// <summary>
/// Drains the proxy on shutdown: when the host starts stopping (and the admission queue with it refuses new requests),
/// open streams (queued ones included) go on until <c>Edge:Shutdown:DrainTimeout</c>, then <see cref="Expired"/> ends them.
/// Kestrel stops accepting connections meanwhile and waits for the streams (the host's shutdown timeout is set
/// longer than the drain timeout).
/// </summary>
internal sealed partial class ShutdownDrain(
    IHostApplicationLifetime lifetime,
    IOptions<ShutdownOptions> options,
    TimeProvider time,
    ILogger<ShutdownDrain> logger) : IHostedService, IDisposable
{
    private readonly CancellationTokenSource _expired = new();
    private CancellationTokenRegistration _stopping;
    private ITimer? _timer;

    /// <summary>Cancelled once the drain timeout has passed after the stop signal.</summary>
    public CancellationToken Expired => _expired.Token;

    public bool IsDraining { get; private set; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _stopping = lifetime.ApplicationStopping.Register(BeginDrain);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
        _stopping.Dispose();
        _timer?.Dispose();
        _expired.Dispose();
    }

    private void BeginDrain()
    {
        IsDraining = true;
        var timeout = options.Value.DrainTimeout;
        Log.Draining(logger, timeout.TotalSeconds);
        _timer = time.CreateTimer(static state => ((ShutdownDrain)state!).EndDrain(), this, timeout, Timeout.InfiniteTimeSpan);
    }

    private void EndDrain()
    {
        Log.DrainExpired(logger);
        _expired.Cancel();
    }

    private static partial class Log
    {
        [LoggerMessage(LogEvents.Draining, LogLevel.Information, "Shutting down: refusing new streams; open ones may finish within {Seconds:0.#} s")]
        public static partial void Draining(ILogger logger, double seconds);

        [LoggerMessage(LogEvents.DrainExpired, LogLevel.Warning, "Drain timeout reached: ending the streams still open")]
        public static partial void DrainExpired(ILogger logger);
    }
}
