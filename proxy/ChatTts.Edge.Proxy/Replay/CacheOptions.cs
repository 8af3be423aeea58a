using System.ComponentModel.DataAnnotations;
using ChatTts.Edge.Redis;
using Microsoft.Extensions.Options;

namespace ChatTts.Edge.Replay;

/// <summary>
/// Section <c>Edge:Cache</c>: the replay cache of deterministic requests. A request with a <c>seed</c> that is spoken in
/// one run (not split into segments) is served from the PCM of an earlier identical request that ended <c>done</c>,
/// framed at its own <c>chunk_ms</c>, without a GPU.
/// </summary>
internal sealed class CacheOptions
{
    public const string SectionName = "Edge:Cache";

    public bool Enabled { get; set; } = true;

    /// <summary>How long an entry is served after it was stored.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "30.00:00:00")]
    public TimeSpan Ttl { get; set; } = CacheDefaults.Ttl;

    /// <summary>
    /// Where entries live: <c>Memory</c>, this process (bounded by <see cref="MaxBytes"/>); <c>Redis</c>, the edge's Redis
    /// (<c>Edge:Redis</c>), shared by every replica. <c>Auto</c> (or left out): <c>Redis</c> when the edge has a Redis, else <c>Memory</c>.
    /// Read at start-up.
    /// </summary>
    public SharedStateStore Store { get; set; } = SharedStateStore.Auto;

    /// <summary>The memory store's budget, in bytes of PCM; the least recently used entries go first.</summary>
    [Range(1L, 64L * 1024 * 1024 * 1024)]
    public long MaxBytes { get; set; } = CacheDefaults.MaxBytes;

    /// <summary>The longest audio stored, in bytes of PCM (24 kHz 16-bit mono: 48 000 bytes a second); longer streams are not stored.</summary>
    [Range(1, 1024 * 1024 * 1024)]
    public int MaxEntryBytes { get; set; } = CacheDefaults.MaxEntryBytes;

    /// <summary>Whether a request served from the cache is charged its characters (<c>Edge:Quotas</c>) as a synthesized one is.</summary>
    public bool ChargeCharacters { get; set; } = true;
}

/// <summary>Defaults of <see cref="CacheOptions"/>, in one place.</summary>
internal static class CacheDefaults
{
    public const long MaxBytes = 256L * 1024 * 1024;

    /// <summary>16 MiB: about 5.8 minutes of audio.</summary>
    public const int MaxEntryBytes = 16 * 1024 * 1024;

    public static readonly TimeSpan Ttl = TimeSpan.FromHours(1);
}

/// <summary>Checks what <c>Edge:Cache</c>'s attributes cannot: a Redis store needs the edge's Redis; an entry fits the budget.</summary>
internal sealed class CacheOptionsValidator(IConfiguration configuration) : IValidateOptions<CacheOptions>
{
    private const string Section = CacheOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, CacheOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        if (SharedStateStores.LacksRedis(options.Store, configuration))
        {
            problems.Add($"{Section}:Store is Redis, so {RedisOptions.SectionName}:Configuration must name the Redis server (e.g. 127.0.0.1:6379).");
        }

        if (options.MaxEntryBytes > options.MaxBytes)
        {
            problems.Add($"{Section}:MaxEntryBytes ({options.MaxEntryBytes}) must not exceed {Section}:MaxBytes ({options.MaxBytes}).");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
