using ChatTts.Edge.Observability;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

internal static class ObservabilityServiceCollectionExtensions
{
    /// <summary>Registers the per-backend statistics and the guard of <c>/admin/*</c> (section <c>Edge:Admin</c>).</summary>
    public static IServiceCollection AddEdgeObservability(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AdminOptions>().Bind(configuration.GetSection(AdminOptions.SectionName));
        services.TryAddSingleton<BackendStatistics>();
        services.TryAddSingleton<AdminGuard>();
        return services;
    }
}
