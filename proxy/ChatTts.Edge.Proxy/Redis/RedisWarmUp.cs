namespace ChatTts.Edge.Redis;

/// <summary>
/// When Redis is configured, connects before the proxy takes requests, so the first burst after a start is not
/// refused (or served per replica) while the connection is still being made. A Redis that is down does not stop the
/// start: the connection keeps being made in the background.
/// </summary>
internal sealed class RedisWarmUp(bool configured, IServiceProvider services) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (configured)
        {
            await services.GetRequiredService<RedisConnection>().ConnectAsync().WaitAsync(cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
