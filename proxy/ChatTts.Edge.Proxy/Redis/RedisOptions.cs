using System.ComponentModel.DataAnnotations;

namespace ChatTts.Edge.Redis;

/// <summary>Section <c>Edge:Redis</c>: the one Redis server the edge shares its state in (quotas, GPU slots).</summary>
internal sealed class RedisOptions
{
    public const string SectionName = "Edge:Redis";

    /// <summary>The earlier name of <see cref="Configuration"/>, still read when that is empty.</summary>
    public const string QuotasRedisKey = "Edge:Quotas:Redis";

    /// <summary>StackExchange.Redis configuration string, e.g. <c>127.0.0.1:6379</c>; when empty, <c>Edge:Quotas:Redis</c>.</summary>
    public string? Configuration { get; set; }

    /// <summary>
    /// Deadline of every Redis call (and of connecting). A Redis that does not answer within it counts as down: each
    /// feature's failure mode applies at once until it answers again.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:00:30")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The configuration string in force: <see cref="Configuration"/>, else <c>Edge:Quotas:Redis</c>; null when neither is set.</summary>
    public static string? ConfigurationString(IConfiguration configuration) =>
        configuration[$"{SectionName}:{nameof(Configuration)}"] is { Length: > 0 } own ? own
        : configuration[QuotasRedisKey] is { Length: > 0 } quotas ? quotas
        : null;
}
