using System.Diagnostics;
using ChatTts.Edge.Redis;
using ChatTts.Edge.Tests.Infrastructure;

namespace ChatTts.Edge.Tests.Redis;

/// <summary>Deadlines on a real redis-server that is frozen (SIGSTOP) and let go again (SIGCONT).</summary>
public sealed class RedisConnectionTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMilliseconds(200);
    private RedisServer _redis = null!;

    public async Task InitializeAsync() => _redis = await RedisServer.StartAsync();

    public async Task DisposeAsync() => await _redis.DisposeAsync();

    [Fact]
    public async Task RunAsync_FrozenRedis_FailsWithinTheDeadlineThenAtOnce_AndRecoversByItselfWhenRedisAnswersAgain()
    {
        using var connection = new RedisConnection(new RedisSettings(_redis.Configuration, Deadline), TimeProvider.System);
        await connection.ConnectAsync();
        await PongAsync(connection); // a first call on a loaded machine may miss the deadline: that is an outage too

        await _redis.FreezeAsync();
        try
        {
            var started = Stopwatch.GetTimestamp();
            await Assert.ThrowsAsync<RedisUnavailableException>(() => Ping(connection));
            Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(5)); // bounded by the deadline, not by the freeze
            Assert.False(connection.IsAvailable);

            // During the outage no call waits for the stuck connection.
            started = Stopwatch.GetTimestamp();
            await Assert.ThrowsAsync<RedisUnavailableException>(() => Ping(connection));
            Assert.True(Stopwatch.GetElapsedTime(started) < Deadline);
        }
        finally
        {
            await _redis.ThawAsync();
        }

        await PongAsync(connection); // probes find Redis answering again: no restart, no reconnect by hand
        Assert.True(connection.IsAvailable);
    }

    private static async Task PongAsync(RedisConnection connection)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            try
            {
                Assert.Equal("PONG", await Ping(connection));
                return;
            }
            catch (RedisUnavailableException)
            {
                await Task.Delay(50, timeout.Token);
            }
        }
    }

    private static Task<string> Ping(RedisConnection connection) =>
        connection.RunAsync(async database => (string)(await database.ExecuteAsync("PING"))!);
}
