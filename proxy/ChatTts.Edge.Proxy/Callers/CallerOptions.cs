using Microsoft.Extensions.Options;

namespace ChatTts.Edge.Callers;

/// <summary>
/// Who may call, from section <c>Edge:Quotas</c> (names are a contract; the section's plans and stores are the quotas'
/// own <c>QuotaOptions</c>): the API keys, whether callers without one are let in, and the browser tokens' key.
/// </summary>
internal sealed class CallerOptions
{
    public const string SectionName = "Edge:Quotas";
    public const string AnonymousPlan = "anonymous";

    /// <summary>Callers without a key get the <c>anonymous</c> plan (per client address) instead of 401.</summary>
    public bool AllowAnonymous { get; set; }

    public Dictionary<string, ApiKeyOptions> Keys { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Secret (at least 32 characters) that signs browser tokens; every replica needs the same one. When empty, each
    /// process makes up its own, so a token works only on the replica that issued it.
    /// </summary>
    public string? TokenSigningKey { get; set; }
}

/// <summary>One API key: the SHA-256 of its secret (never the secret) and its plan.</summary>
internal sealed class ApiKeyOptions
{
    /// <summary>Lowercase hex SHA-256 of the secret key.</summary>
    public string? Sha256 { get; set; }

    public string? Plan { get; set; }
}

/// <summary>
/// Checks the callers' part of <c>Edge:Quotas</c>, every mistake at once. A plan a key (or the anonymous callers) is
/// charged to must exist among <c>Edge:Quotas:Plans</c>, read from the configuration itself.
/// </summary>
internal sealed class CallerOptionsValidator(IConfiguration configuration) : IValidateOptions<CallerOptions>
{
    private const string Section = CallerOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, CallerOptions options)
    {
        var plans = configuration.GetSection($"{Section}:Plans").GetChildren().Select(p => p.Key).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var problems = new List<string>();
        if (options.AllowAnonymous && !plans.Contains(CallerOptions.AnonymousPlan))
        {
            problems.Add($"{Section}:AllowAnonymous is true, so {Section}:Plans:{CallerOptions.AnonymousPlan} must exist.");
        }

        if (options.TokenSigningKey is { Length: > 0 and < 32 })
        {
            problems.Add($"{Section}:TokenSigningKey must be at least 32 characters long.");
        }

        foreach (var (id, key) in options.Keys)
        {
            var path = $"{Section}:Keys:{id}";
            if (key.Sha256 is not { Length: 64 } hash || !hash.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f'))
            {
                problems.Add($"{path}:Sha256 must be the lowercase hex SHA-256 of the key (64 characters), e.g. from `printf %s \"$KEY\" | sha256sum`.");
            }

            if (key.Plan is null || !plans.Contains(key.Plan))
            {
                problems.Add($"{path}:Plan is '{key.Plan}'; expected one of: {string.Join(", ", plans.Order(StringComparer.Ordinal))}.");
            }
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
