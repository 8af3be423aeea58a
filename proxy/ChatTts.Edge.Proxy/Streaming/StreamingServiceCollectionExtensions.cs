using ChatTts.Edge.Streaming;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

internal static class StreamingServiceCollectionExtensions
{
    /// <summary>Registers the streaming endpoint's services and its options (section <c>Edge:Streaming</c>).</summary>
    public static IServiceCollection AddEdgeStreaming(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StreamingOptions>()
            .Bind(configuration.GetSection(StreamingOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddProblemDetails();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<SpeechRequestValidator>();
        services.TryAddSingleton<SpeechRequestReader>();
        services.TryAddSingleton<TtsStreamer>();
        return services;
    }
}
