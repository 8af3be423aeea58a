using Microsoft.Extensions.Options;

namespace ChatTts.Edge.Quotas;

/// <summary>Checks <c>Edge:Quotas</c> at start-up and reports every mistake at once.</summary>
internal sealed class QuotaOptionsValidator : IValidateOptions<QuotaOptions>
{
    private const string Section = QuotaOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, QuotaOptions options)
    {
        var problems = new List<string>();
        if (options.Store == QuotaStoreKind.Redis && string.IsNullOrWhiteSpace(options.Redis))
        {
            problems.Add($"{Section}:Redis must name the Redis server (e.g. 127.0.0.1:6379) when {Section}:Store is Redis.");
        }

        if (options.AllowAnonymous && !options.Plans.ContainsKey(QuotaOptions.AnonymousPlan))
        {
            problems.Add($"{Section}:AllowAnonymous is true, so {Section}:Plans:{QuotaOptions.AnonymousPlan} must exist.");
        }

        if (options.TokenSigningKey is { Length: > 0 and < 32 })
        {
            problems.Add($"{Section}:TokenSigningKey must be at least 32 characters long.");
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

        foreach (var (id, key) in options.Keys)
        {
            var path = $"{Section}:Keys:{id}";
            if (key.Sha256 is not { Length: 64 } hash || !hash.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f'))
            {
                problems.Add($"{path}:Sha256 must be the lowercase hex SHA-256 of the key (64 characters), e.g. from `printf %s \"$KEY\" | sha256sum`.");
            }

            if (key.Plan is null || !options.Plans.ContainsKey(key.Plan))
            {
                problems.Add($"{path}:Plan is '{key.Plan}'; expected one of: {string.Join(", ", options.Plans.Keys)}.");
            }
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
