using System.Net.Http.Headers;

namespace ChatTts.Edge.Backends;

/// <summary>A backend's <c>Retry-After</c>, read sanely: a delay or a date, never negative, at most <see cref="Max"/>.</summary>
internal static class RetryAfter
{
    /// <summary>Longest wait a backend's <c>Retry-After</c> can ask for; a date far in the future means this.</summary>
    public static readonly TimeSpan Max = TimeSpan.FromMinutes(10);

    /// <returns>Null when the header is absent or asks for no wait.</returns>
    public static TimeSpan? FromHeader(RetryConditionHeaderValue? header, TimeProvider time)
    {
        var wait = header switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - time.GetUtcNow(),
            _ => TimeSpan.Zero,
        };
        return wait <= TimeSpan.Zero ? null : wait < Max ? wait : Max;
    }
}
