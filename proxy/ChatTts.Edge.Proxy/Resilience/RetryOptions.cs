using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace ChatTts.Edge.Resilience;

/// <summary>Section <c>Edge:Retry</c>: retries of a synthesis that failed before any audio reached the client.</summary>
internal sealed class RetryOptions
{
    public const string SectionName = "Edge:Retry";

    /// <summary>Attempts in all, the first included, each on a different backend; 1 turns retries off.</summary>
    [Range(1, 10)]
    public int MaxAttempts { get; set; } = RetryDefaults.MaxAttempts;

    /// <summary>The first retry waits up to this long; each further retry up to twice as long as the one before.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan BaseDelay { get; set; } = RetryDefaults.BaseDelay;

    /// <summary>No retry waits longer than this.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan MaxDelay { get; set; } = RetryDefaults.MaxDelay;

    /// <summary>
    /// Retries allowed, as a percentage of recent requests (over <see cref="RetryDefaults.BudgetWindow"/>, with a
    /// floor of <see cref="RetryDefaults.MinRetriesPerWindow"/>), so a fleet-wide outage does not multiply load. 0 turns retries off.
    /// </summary>
    [Range(0, 100)]
    public double BudgetPercent { get; set; } = RetryDefaults.BudgetPercent;
}

/// <summary>Defaults of the retry policy, in one place.</summary>
internal static class RetryDefaults
{
    public const int MaxAttempts = 3;
    public const double BudgetPercent = 20;
    public const int MinRetriesPerWindow = 10;
    public static readonly TimeSpan BaseDelay = TimeSpan.FromMilliseconds(100);
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan BudgetWindow = TimeSpan.FromSeconds(10);
}

/// <summary>Rules that span fields of <see cref="RetryOptions"/>.</summary>
internal sealed class RetryOptionsValidator : IValidateOptions<RetryOptions>
{
    public ValidateOptionsResult Validate(string? name, RetryOptions options) =>
        options.MaxDelay < options.BaseDelay
            ? ValidateOptionsResult.Fail($"{RetryOptions.SectionName}:MaxDelay ({options.MaxDelay}) must not be shorter than {RetryOptions.SectionName}:BaseDelay ({options.BaseDelay}).")
            : ValidateOptionsResult.Success;
}
