using ChatTts.Edge.Backends;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;

namespace ChatTts.Edge.Resilience;

/// <summary>One request's syntheses as the retry policy sees them.</summary>
internal interface IRetryableSynthesis
{
    /// <summary>Runs one attempt on a backend not tried yet; returns the number of audio events sent.</summary>
    ValueTask<long> AttemptAsync(CancellationToken cancellationToken);

    /// <summary>False once audio reached the client, or when no untried backend could take the request.</summary>
    bool CanRetry { get; }

    /// <summary>How long the request may still wait before its next attempt starts.</summary>
    TimeSpan TimeLeft { get; }

    /// <summary>Told before waiting <paramref name="delay"/> to retry after <paramref name="failure"/>.</summary>
    void Retrying(BackendException failure, TimeSpan delay);
}

/// <summary>
/// Retries a synthesis with Polly.Core when it failed before any audio reached the client: on connection failures,
/// timeouts to the first audio, 5xx and 429, each time on another backend, after an exponential backoff with full
/// jitter (<c>Edge:Retry</c>), only within the request's time left and only while the retry budget lasts.
/// </summary>
internal sealed class SynthesisRetry
{
    private static readonly ResiliencePropertyKey<IRetryableSynthesis> SynthesisKey = new("ChatTts.Edge.Retry.Synthesis");
    private static readonly ResiliencePropertyKey<TimeSpan> DelayKey = new("ChatTts.Edge.Retry.Delay");

    private readonly RetryBudget _budget;
    private readonly TimeProvider _time;
    private ResiliencePipeline _pipeline;

    public SynthesisRetry(IOptionsMonitor<RetryOptions> options, RetryBudget budget, TimeProvider time, Func<double>? random = null)
    {
        _budget = budget;
        _time = time;
        Random = random ?? System.Random.Shared.NextDouble;
        _pipeline = Build(options.CurrentValue);
        options.OnChange(changed => _pipeline = Build(changed));
    }

    /// <summary>The jitter's source of uniform numbers in [0, 1).</summary>
    public Func<double> Random { get; }

    public async ValueTask<long> ExecuteAsync(IRetryableSynthesis synthesis, CancellationToken cancellationToken)
    {
        _budget.RequestStarted();
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        try
        {
            context.Properties.Set(SynthesisKey, synthesis);
            return await _pipeline.ExecuteAsync(static (context, synthesis) => synthesis.AttemptAsync(context.CancellationToken), context, synthesis);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private ResiliencePipeline Build(RetryOptions options)
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = _time };
        if (options.MaxAttempts > 1)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxAttempts - 1,
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Context, args.Outcome.Exception, args.AttemptNumber, options)),
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(args.Context.Properties.GetValue(DelayKey, TimeSpan.Zero)),
            });
        }

        return builder.Build();
    }

    private bool ShouldRetry(ResilienceContext context, Exception? exception, int retry, RetryOptions options)
    {
        // Polly asks after the last attempt too; that answer must not spend budget or announce a retry.
        if (retry >= options.MaxAttempts - 1
            || exception is not BackendException { IsTransient: true } failure
            || context.CancellationToken.IsCancellationRequested
            || !context.Properties.TryGetValue(SynthesisKey, out var synthesis)
            || !synthesis.CanRetry)
        {
            return false;
        }

        var delay = Backoff.FullJitter(retry, options.BaseDelay, options.MaxDelay, Random());
        if (delay >= synthesis.TimeLeft || !_budget.TryRetry())
        {
            return false;
        }

        context.Properties.Set(DelayKey, delay);
        synthesis.Retrying(failure, delay);
        return true;
    }
}
