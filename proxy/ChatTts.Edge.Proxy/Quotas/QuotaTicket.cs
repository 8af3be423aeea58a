using ChatTts.Edge.Hosting;

namespace ChatTts.Edge.Quotas;

/// <summary>
/// One admitted stream's quota lease: renewed every third of its lifetime while the stream lives (so a crashed
/// replica's leases expire by themselves), released when it ends, with its characters refunded if no audio was sent.
/// </summary>
internal sealed partial class QuotaTicket : IDisposable
{
    private readonly IQuotaStore _store;
    private readonly QuotaLeaseId _lease;
    private readonly ILogger _logger;
    private readonly PeriodicTimer _timer;
    private readonly Task _renewals;

    public QuotaTicket(IQuotaStore store, QuotaLeaseId lease, TimeProvider time, ILogger logger)
    {
        _store = store;
        _lease = lease;
        _logger = logger;
        _timer = new PeriodicTimer(lease.LeaseTtl / 3, time);
        _renewals = RenewAsync();
    }

    /// <summary>Ends the lease; <paramref name="audioSent"/> false gives the characters back.</summary>
    public async Task CompleteAsync(bool audioSent)
    {
        // A disposed timer ends the renewals without an exception (every stream's end); a renewal under way finishes
        // first (neither store waits: Redis calls time out after a second).
        _timer.Dispose();
        await _renewals;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _store.ReleaseAsync(_lease, refundCharacters: !audioSent, timeout.Token);
        }
        catch (QuotaStoreUnavailableException ex)
        {
            // The lease expires by itself; an unrefunded charge is the store's outage's cost.
            Log.ReleaseFailed(_logger, ex, _lease.Account.KeyId);
        }
    }

    public void Dispose() => _timer.Dispose();

    private async Task RenewAsync()
    {
        while (await _timer.WaitForNextTickAsync())
        {
            try
            {
                await _store.RenewAsync(_lease, CancellationToken.None);
            }
            catch (QuotaStoreUnavailableException)
            {
                // Renewed at the next tick if the store is back by then.
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(LogEvents.LeaseReleaseFailed, LogLevel.Warning, "Could not release a stream lease of key {KeyId}; it expires by itself")]
        public static partial void ReleaseFailed(ILogger logger, Exception exception, string keyId);
    }
}
