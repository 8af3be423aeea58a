using ChatTts.Edge.Redis;
using Microsoft.Extensions.Options;

namespace ChatTts.Edge.Admission;

/// <summary>Checks what <c>Edge:Admission</c>'s attributes cannot: a fleet-wide store needs the edge's Redis.</summary>
internal sealed class AdmissionOptionsValidator(IConfiguration configuration) : IValidateOptions<AdmissionOptions>
{
    public ValidateOptionsResult Validate(string? name, AdmissionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Store == AdmissionStore.Redis && RedisOptions.ConfigurationString(configuration) is null
            ? ValidateOptionsResult.Fail($"{AdmissionOptions.SectionName}:Store is Redis, so {RedisOptions.SectionName}:Configuration must name the " +
                "Redis server the replicas share (e.g. 127.0.0.1:6379).")
            : ValidateOptionsResult.Success;
    }
}
