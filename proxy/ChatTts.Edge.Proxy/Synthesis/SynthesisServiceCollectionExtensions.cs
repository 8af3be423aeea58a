using ChatTts.Edge.Synthesis;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

internal static class SynthesisServiceCollectionExtensions
{
    /// <summary>Registers what one request's synthesis runs with (the queue, retries, health and statistics are the features' own).</summary>
    public static IServiceCollection AddEdgeSynthesis(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<SynthesisServices>();
        return services;
    }
}
