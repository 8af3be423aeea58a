using ChatTts.Edge.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

internal static class ShutdownServiceCollectionExtensions
{
    /// <summary>Registers the drain of open streams on shutdown (section <c>Edge:Shutdown</c>).</summary>
    public static IServiceCollection AddEdgeShutdown(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddEdgeOptions<ShutdownOptions>(configuration, ShutdownOptions.SectionName);

        // Kestrel waits for open streams until the host's shutdown timeout; the drain ends them a little earlier.
        services.AddOptions<HostOptions>().Configure<IOptionsMonitor<ShutdownOptions>>((host, shutdown) =>
            host.ShutdownTimeout = shutdown.CurrentValue.DrainTimeout + ShutdownOptions.Grace);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ShutdownDrain>();
        services.AddHostedService(provider => provider.GetRequiredService<ShutdownDrain>());
        services.AddHealthChecks().AddCheck<ShutdownReadyCheck>("shutdown", tags: [HealthTags.Ready, HealthTags.Pod]);
        return services;
    }
}
