using ChatTts.Edge.Api;
using ChatTts.Edge.Streaming;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

internal static class StreamingServiceCollectionExtensions
{
    /// <summary>Registers the streaming endpoint's services and its options (section <c>Edge:Streaming</c>).</summary>
    public static IServiceCollection AddEdgeStreaming(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddEdgeOptions<StreamingOptions>(configuration, StreamingOptions.SectionName);
        services.AddEdgeOptions<ShutdownOptions>(configuration, ShutdownOptions.SectionName);
        services.AddProblemDetails();

        // Kestrel waits for open streams until the host's shutdown timeout; the drain ends them a little earlier.
        services.AddOptions<HostOptions>().Configure<IOptionsMonitor<ShutdownOptions>>((host, shutdown) =>
            host.ShutdownTimeout = shutdown.CurrentValue.DrainTimeout + StreamingDefaults.ShutdownGrace);

        // Kestrel's limits are a backstop above the edge's own, which answer with problem+json (HttpLimits).
        services.AddOptions<KestrelServerOptions>().Configure<IOptionsMonitor<StreamingOptions>>((kestrel, streaming) =>
        {
            kestrel.Limits.MaxRequestLineSize = HttpLimits.KestrelFactor * HttpLimits.MaxRequestLineBytes(streaming.CurrentValue.MaxTextCharacters);
            kestrel.Limits.MaxRequestHeadersTotalSize = HttpLimits.KestrelFactor * HttpLimits.MaxRequestHeadersTotalBytes;
        });
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<SpeechRequestValidator>();
        services.TryAddSingleton<SpeechRequestReader>();
        services.TryAddSingleton<TtsStreamer>();
        services.TryAddSingleton<ShutdownDrain>();
        services.AddHostedService(provider => provider.GetRequiredService<ShutdownDrain>());
        return services;
    }
}
