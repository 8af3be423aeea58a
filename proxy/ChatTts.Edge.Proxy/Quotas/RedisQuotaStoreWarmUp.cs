using Microsoft.Extensions.Options;

namespace ChatTts.Edge.Quotas;

/// <summary>
/// With the Redis store, connects before the proxy takes requests, so the first burst after a start is not refused
/// (or served per replica) while the connection is still being made. A Redis that is down does not stop the start:
/// the store keeps reconnecting in the background.
/// </summary>
internal sealed class RedisQuotaStoreWarmUp(IOptions<QuotaOptions> options, IServiceProvider services) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.Store == QuotaStoreKind.Redis)
        {
            await services.GetRequiredService<ChatTts.Edge.Redis.RedisConnection>().ConnectAsync().WaitAsync(cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
