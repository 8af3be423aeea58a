using ChatTts.Edge.Admission;
using ChatTts.Edge.Admission.Fleet;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

internal static class AdmissionServiceCollectionExtensions
{
    /// <summary>
    /// Registers admission control in front of the GPUs and its options (section <c>Edge:Admission</c>): this process's
    /// own queue, or with <c>Store=Redis</c> the fleet's, shared by every replica through the edge's Redis.
    /// </summary>
    public static IServiceCollection AddEdgeAdmission(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddEdgeOptions<AdmissionOptions>(configuration, AdmissionOptions.SectionName);
        services.AddSingleton<IValidateOptions<AdmissionOptions>>(new AdmissionOptionsValidator(configuration));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<DrainRate>();
        services.TryAddSingleton<IGpuSlots, LocalGpuSlots>();
        services.TryAddSingleton<AdmissionQueue>();
        services.TryAddSingleton<FleetStore>();
        services.TryAddSingleton<FleetAdmission>();
        services.TryAddSingleton<IAdmissionControl>(provider =>
            provider.GetRequiredService<IOptions<AdmissionOptions>>().Value.Store == AdmissionStore.Redis
                ? provider.GetRequiredService<FleetAdmission>()
                : provider.GetRequiredService<AdmissionQueue>());
        return services;
    }
}
