using ChatTts.Edge.Resilience;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

internal static class ResilienceServiceCollectionExtensions
{
    /// <summary>Registers retries of failed syntheses and their budget (section <c>Edge:Retry</c>).</summary>
    public static IServiceCollection AddEdgeResilience(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddEdgeOptions<RetryOptions>(configuration, RetryOptions.SectionName);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RetryOptions>, RetryOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<RetryBudget>();
        services.TryAddSingleton(provider => new SynthesisRetry(
            provider.GetRequiredService<IOptionsMonitor<RetryOptions>>(),
            provider.GetRequiredService<RetryBudget>(),
            provider.GetRequiredService<TimeProvider>()));
        return services;
    }
}
