using ChatTts.Edge.LoadTests.CommandLine;
using ChatTts.Edge.LoadTests.Environment;
using ChatTts.Edge.LoadTests.Load;
using ChatTts.Edge.TestKit;

namespace ChatTts.Edge.LoadTests.Scenarios.Quotas;

/// <summary>
/// One run: fresh emulated GPUs and a fresh proxy process in one mode, the closed load for the run's duration,
/// then everything stopped. The window is the duration after the warm-up; a stream counts in it if it ended in it.
/// </summary>
internal static class QuotasMeasurement
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);

    public static async Task<QuotasRun> RunAsync(
        QuotasSettings settings, int round, QuotaMode mode, RedisServer redis, ScenarioContext context, CancellationToken cancellationToken)
    {
        var time = context.Time;
        await using var environment = await LocalEnvironment.StartAsync(
            settings.Environment(mode, redis.Configuration).WithProxySettings(context.Run.ProxySettings), time, cancellationToken);
        try
        {
            using var http = CreateHttpClient(mode == QuotaMode.On ? settings.Secret : null);
            var client = new SseStreamClient(http, time);
            var url = settings.StreamUrl(environment.ProxyAddress);
            var ready = await WaitUntilServingAsync(client, url, time, cancellationToken);
            var tally = new LoadTally();
            var begun = time.GetTimestamp();
            await using var load = ClosedLoopLoad.Start(settings.Clients, url, client, tally, time, cancellationToken, settings.ThinkTime);

            await Task.Delay(context.Run.Warmup, time, cancellationToken);
            var windowStart = time.GetTimestamp();
            var redisCpu = mode == QuotaMode.On ? await RedisWindowStats.StartAsync(redis, cancellationToken) : TimeSpan.Zero;
            await Task.Delay(Remaining(context.Run.Duration, begun, time), time, cancellationToken);
            var windowEnd = time.GetTimestamp();
            var redisStats = mode == QuotaMode.On ? await RedisWindowStats.EndAsync(redis, redisCpu, cancellationToken) : null;

            var drained = await load.StopAsync(context.Run.DrainTimeout);
            var streams = tally.Snapshot();
            var troubled = !drained || environment.ProxyExited || streams.Any(s => s.Status != StreamStatus.Done);
            return new QuotasRun(round, mode, ready, time.GetElapsedTime(windowStart, windowEnd), windowStart, windowEnd, streams,
                redisStats, drained, environment.ProxyExited, troubled ? await environment.ProxyOutputAsync() : "");
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            await environment.WriteProxyOutputAsync(context.Error);
            throw;
        }
    }

    /// <summary>
    /// One stream at a time until one ends with <c>done</c>, as a deployment's smoke request would, before the load
    /// starts: the proxy connects to Redis on its first quota check, and 32 first requests at once found it unconnected.
    /// </summary>
    private static async Task<Readiness> WaitUntilServingAsync(SseStreamClient client, Uri url, TimeProvider time, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        for (var tries = 1; ; tries++)
        {
            var outcome = await client.RunAsync(url, cancellationToken);
            if (outcome.Status == StreamStatus.Done)
            {
                return new Readiness(tries, time.GetElapsedTime(started));
            }

            if (time.GetElapsedTime(started) >= ReadyTimeout)
            {
                throw new EnvironmentException($"The proxy served no stream within {DurationFormat.Format(ReadyTimeout)} of listening; " +
                    $"the last of {tries} tries ended with {outcome.Failure ?? outcome.Status.ToString()}.");
            }

            await Task.Delay(ClosedLoopLoad.FailurePause, time, cancellationToken);
        }
    }

    private static TimeSpan Remaining(TimeSpan duration, long begun, TimeProvider time)
    {
        var remaining = duration - time.GetElapsedTime(begun);
        return remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero;
    }
    // With quotas on every request carries the key.
    private static HttpClient CreateHttpClient(string? apiKey)
    {
        var http = StreamHttpClient.Create();
        if (apiKey is not null)
        {
            http.DefaultRequestHeaders.Add(QuotasSettings.ApiKeyHeader, apiKey);
        }

        return http;
    }
}
