using ChatTts.Edge.Streaming;

namespace Microsoft.Extensions.DependencyInjection;

internal static class StreamingServiceCollectionExtensions
{
    /// <summary>Registers the options of the streams' output and of their backends' audio (section <c>Edge:Streaming</c>).</summary>
    public static IServiceCollection AddEdgeStreaming(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddEdgeOptions<StreamingOptions>(configuration, StreamingOptions.SectionName);
        return services;
    }
}
