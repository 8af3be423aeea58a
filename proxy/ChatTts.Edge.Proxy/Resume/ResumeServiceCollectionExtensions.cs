using ChatTts.Edge.Redis;
using ChatTts.Edge.Resume;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

internal static class ResumeServiceCollectionExtensions
{
    /// <summary>
    /// Registers resumable streams (section <c>Edge:Resume</c>): the journals' store (in Redis when the edge has one, else in
    /// memory) and <see cref="StreamResumption"/>.
    /// </summary>
    public static IServiceCollection AddEdgeResume(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddEdgeOptions<ResumeOptions>(configuration, ResumeOptions.SectionName);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ResumeOptions>>(new ResumeOptionsValidator(configuration)));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<MemoryResumeStore>();
        services.TryAddSingleton<RedisResumeStore>();
        services.TryAddSingleton<IResumeStore>(provider =>
            SharedStateStores.Resolve(provider.GetRequiredService<IOptions<ResumeOptions>>().Value.Store, configuration) == SharedStateStore.Redis
                ? provider.GetRequiredService<RedisResumeStore>()
                : provider.GetRequiredService<MemoryResumeStore>());
        services.TryAddSingleton<StreamResumption>();
        return services;
    }
}
