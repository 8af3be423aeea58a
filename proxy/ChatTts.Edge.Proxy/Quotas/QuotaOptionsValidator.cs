using ChatTts.Edge.Redis;
using Microsoft.Extensions.Options;

namespace ChatTts.Edge.Quotas;

/// <summary>Checks <c>Edge:Quotas</c> at start-up and reports every mistake at once.</summary>
internal sealed class QuotaOptionsValidator(IConfiguration configuration) : IValidateOptions<QuotaOptions>
{
    private const string Section = QuotaOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, QuotaOptions options)
    {
        var problems = new List<string>();
        if (options.Store == QuotaStoreKind.Redis && RedisOptions.ConfigurationString(configuration) is null)
        {
            problems.Add($"{Section}:Redis must name the Redis server (e.g. 127.0.0.1:6379; or set {RedisOptions.SectionName}:Configuration) when {Section}:Store is Redis.");
        }

        foreach (var (plan, limits) in options.Plans)
        {
            var path = $"{Section}:Plans:{plan}";
            if (limits.RequestsPerMinute is <= 0)
            {
                problems.Add($"{path}:RequestsPerMinute must be positive (leave it out for no rate limit).");
            }

            if (limits.Burst is < 1)
            {
                problems.Add($"{path}:Burst must be at least 1.");
            }

            if (limits.CharactersPerDay is < 1)
            {
                problems.Add($"{path}:CharactersPerDay must be at least 1 (leave it out for no limit).");
            }

            if (limits.ConcurrentStreams is < 1)
            {
                problems.Add($"{path}:ConcurrentStreams must be at least 1 (leave it out for no limit).");
            }
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
