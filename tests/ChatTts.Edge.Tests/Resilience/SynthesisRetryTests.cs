using ChatTts.Edge.Backends;
using ChatTts.Edge.Resilience;
using ChatTts.Edge.Tests.Infrastructure;

namespace ChatTts.Edge.Tests.Resilience;

public sealed class SynthesisRetryTests
{
    private static readonly TimeSpan Tick = TimeSpan.FromTicks(1);

    [Fact]
    public async Task ExecuteAsync_TransientFailures_RetriesAfterExponentialDelaysWithFullJitter()
    {
        var time = new ManualTimeProvider();
        var options = Options(maxAttempts: 5, baseDelay: 100, maxDelay: 300);
        double[] jitter = [0.5, 0.875, 0.25, 0.75]; // exact in binary, so the expected delays are exact too
        var draws = 0;
        var retry = new SynthesisRetry(options, new RetryBudget(options, time), time, () => jitter[draws++]);
        var synthesis = new FailingSynthesis(time, _ => new BackendException(BackendFailureKind.Connection, "refused"));

        var run = retry.ExecuteAsync(synthesis, CancellationToken.None).AsTask();

        // Ceilings: min(300, 100 × 2^n) = 100, 200, 300, 300 ms; each delay is its ceiling × the jitter draw.
        TimeSpan[] expected = [Ms(50), Ms(175), Ms(75), Ms(225)];
        for (var retryIndex = 0; retryIndex < expected.Length; retryIndex++)
        {
            await WaitForTimerAsync(time);
            time.Advance(expected[retryIndex] - Tick);
            Assert.Equal(retryIndex + 1, synthesis.Attempts.Length); // not a tick early
            time.Advance(Tick);
            await synthesis.WaitForAttemptsAsync(retryIndex + 2);
        }

        var failure = await Assert.ThrowsAsync<BackendException>(() => run);
        Assert.Equal("refused", failure.Message);
        Assert.Equal(expected, synthesis.Attempts.Zip(synthesis.Attempts.Skip(1), (a, b) => b - a));
        Assert.Equal(expected.Length, draws);
        Assert.Equal(expected, synthesis.Delays);
    }

    [Fact]
    public void Backoff_FullJitter_StaysBetweenZeroAndTheCappedExponentialCeiling()
    {
        var baseDelay = TimeSpan.FromMilliseconds(100);
        var maxDelay = TimeSpan.FromSeconds(2);

        Assert.Equal([Ms(100), Ms(200), Ms(400), Ms(800), Ms(1600), Ms(2000), Ms(2000)], Enumerable.Range(0, 7).Select(n => Backoff.Ceiling(n, baseDelay, maxDelay)));
        Assert.Equal(TimeSpan.Zero, Backoff.FullJitter(3, baseDelay, maxDelay, 0));
        Assert.Equal(Ms(400), Backoff.FullJitter(3, baseDelay, maxDelay, 0.5));
        Assert.Equal(maxDelay, Backoff.Ceiling(1000, baseDelay, maxDelay)); // no overflow for absurd attempt numbers
    }

    [Theory]
    [InlineData("Protocol", null)] // the backend answered nonsense: another one would not help that request
    [InlineData("Status", 400)]
    public async Task ExecuteAsync_FailureThatIsNotTransient_IsNotRetried(string kindName, int? status)
    {
        var kind = Enum.Parse<BackendFailureKind>(kindName);
        var time = new ManualTimeProvider();
        var options = Options(maxAttempts: 3, baseDelay: 100, maxDelay: 300);
        var retry = new SynthesisRetry(options, new RetryBudget(options, time), time, () => 0);
        var synthesis = new FailingSynthesis(time, _ => new BackendException(kind, "bad") { StatusCode = (System.Net.HttpStatusCode?)status });

        await Assert.ThrowsAsync<BackendException>(() => retry.ExecuteAsync(synthesis, CancellationToken.None).AsTask());

        Assert.Single(synthesis.Attempts);
    }

    [Fact]
    public async Task ExecuteAsync_AudioAlreadySentOrNoOtherBackend_IsNotRetried()
    {
        var time = new ManualTimeProvider();
        var options = Options(maxAttempts: 3, baseDelay: 100, maxDelay: 300);
        var retry = new SynthesisRetry(options, new RetryBudget(options, time), time, () => 0);
        var synthesis = new FailingSynthesis(time, _ => new BackendException(BackendFailureKind.Interrupted, "broke off")) { CanRetry = false };

        await Assert.ThrowsAsync<BackendException>(() => retry.ExecuteAsync(synthesis, CancellationToken.None).AsTask());

        Assert.Single(synthesis.Attempts);
    }

    [Fact]
    public async Task ExecuteAsync_DelayWouldPassTheDeadline_GivesUpInsteadOfWaiting()
    {
        var time = new ManualTimeProvider();
        var options = Options(maxAttempts: 3, baseDelay: 1000, maxDelay: 1000);
        var retry = new SynthesisRetry(options, new RetryBudget(options, time), time, () => 0.5);
        var synthesis = new FailingSynthesis(time, _ => new BackendException(BackendFailureKind.Timeout, "slow")) { TimeLeft = Ms(400) };

        await Assert.ThrowsAsync<BackendException>(() => retry.ExecuteAsync(synthesis, CancellationToken.None).AsTask());

        Assert.Single(synthesis.Attempts);
    }

    [Fact]
    public async Task RetryBudget_FleetWideOutage_RetriesOnlyTheConfiguredShareOfRequests()
    {
        var time = new ManualTimeProvider();
        var options = Options(maxAttempts: 3, baseDelay: 0, maxDelay: 0, budgetPercent: 10);
        var retry = new SynthesisRetry(options, new RetryBudget(options, time), time, () => 0);
        var attempts = 0;

        for (var i = 0; i < 200; i++)
        {
            var synthesis = new FailingSynthesis(time, _ => new BackendException(BackendFailureKind.Connection, "down"));
            await Assert.ThrowsAsync<BackendException>(() => retry.ExecuteAsync(synthesis, CancellationToken.None).AsTask());
            attempts += synthesis.Attempts.Length;
        }

        // 200 requests within one window: 10 % of them may be retried (20 retries), not 2 × 200.
        Assert.Equal(220, attempts);

        // The window slides: ten seconds later the budget is back.
        time.Advance(TimeSpan.FromSeconds(11));
        var later = new FailingSynthesis(time, _ => new BackendException(BackendFailureKind.Connection, "down"));
        await Assert.ThrowsAsync<BackendException>(() => retry.ExecuteAsync(later, CancellationToken.None).AsTask());
        Assert.Equal(3, later.Attempts.Length);
    }

    private static FixedOptionsMonitor<RetryOptions> Options(int maxAttempts, double baseDelay, double maxDelay, double budgetPercent = 100) =>
        new(new RetryOptions
        {
            MaxAttempts = maxAttempts,
            BaseDelay = Ms(baseDelay),
            MaxDelay = Ms(maxDelay),
            BudgetPercent = budgetPercent,
        });

    private static TimeSpan Ms(double milliseconds) => TimeSpan.FromMilliseconds(milliseconds);

    private static async Task WaitForTimerAsync(ManualTimeProvider time)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (time.ArmedTimers == 0)
        {
            await Task.Delay(1, timeout.Token);
        }
    }

    /// <summary>A synthesis whose every attempt fails; records when each attempt started on the fake clock.</summary>
    private sealed class FailingSynthesis(ManualTimeProvider time, Func<int, BackendException> failure) : IRetryableSynthesis
    {
        private readonly List<DateTimeOffset> _attempts = [];

        public DateTimeOffset[] Attempts
        {
            get
            {
                lock (_attempts)
                {
                    return _attempts.ToArray();
                }
            }
        }

        public List<TimeSpan> Delays { get; } = [];

        public bool CanRetry { get; init; } = true;

        public TimeSpan TimeLeft { get; init; } = TimeSpan.FromMinutes(1);

        public ValueTask<long> AttemptAsync(CancellationToken cancellationToken)
        {
            int count;
            lock (_attempts)
            {
                _attempts.Add(time.GetUtcNow());
                count = _attempts.Count;
            }

            return ValueTask.FromException<long>(failure(count));
        }

        public void Retrying(BackendException failure, TimeSpan delay) => Delays.Add(delay);

        public async Task WaitForAttemptsAsync(int count)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            while (Attempts.Length < count)
            {
                await Task.Delay(1, timeout.Token);
            }
        }
    }
}
