namespace ChatTts.Edge.Resilience;

/// <summary>Exponential backoff with "full jitter": uniform between zero and the exponential ceiling.</summary>
internal static class Backoff
{
    /// <summary>The ceiling before retry <paramref name="retry"/> (0 for the first): <c>min(max, base × 2^retry)</c>.</summary>
    public static TimeSpan Ceiling(int retry, TimeSpan baseDelay, TimeSpan maxDelay)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(retry);
        var ceiling = baseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(retry, 62));
        return ceiling >= maxDelay.TotalMilliseconds ? maxDelay : TimeSpan.FromMilliseconds(ceiling);
    }

    /// <summary>The delay before retry <paramref name="retry"/>, given a uniform <paramref name="random"/> in [0, 1).</summary>
    public static TimeSpan FullJitter(int retry, TimeSpan baseDelay, TimeSpan maxDelay, double random) =>
        Ceiling(retry, baseDelay, maxDelay) * Math.Clamp(random, 0, 1);
}
