using ChatTts.Edge.Admission;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

internal static class AdmissionServiceCollectionExtensions
{
    /// <summary>Registers the admission queue in front of the GPUs and its options (section <c>Edge:Admission</c>).</summary>
    public static IServiceCollection AddEdgeAdmission(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddEdgeOptions<AdmissionOptions>(configuration, AdmissionOptions.SectionName);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<DrainRate>();
        services.TryAddSingleton<IGpuSlots, LocalGpuSlots>();
        services.TryAddSingleton<AdmissionQueue>();
        return services;
    }
}
