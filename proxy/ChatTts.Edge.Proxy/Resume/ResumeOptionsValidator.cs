using ChatTts.Edge.Redis;
using Microsoft.Extensions.Options;

namespace ChatTts.Edge.Resume;

/// <summary>Checks what <c>Edge:Resume</c>'s attributes cannot: a Redis store needs the edge's Redis; a stream fits the budget.</summary>
internal sealed class ResumeOptionsValidator(IConfiguration configuration) : IValidateOptions<ResumeOptions>
{
    public ValidateOptionsResult Validate(string? name, ResumeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        List<string> problems = [];
        if (SharedStateStores.LacksRedis(options.Store, configuration))
        {
            problems.Add($"{ResumeOptions.SectionName}:Store is Redis, so {RedisOptions.SectionName}:Configuration must name the Redis server the replicas share (e.g. 127.0.0.1:6379).");
        }

        if (options.MaxStreamBytes > options.MaxBytes)
        {
            problems.Add($"{ResumeOptions.SectionName}:MaxStreamBytes ({options.MaxStreamBytes}) must not exceed {ResumeOptions.SectionName}:MaxBytes ({options.MaxBytes}).");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
