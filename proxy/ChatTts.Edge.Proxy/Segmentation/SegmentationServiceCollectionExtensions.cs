using ChatTts.Edge.Segmentation;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

internal static class SegmentationServiceCollectionExtensions
{
    /// <summary>Registers the options of long-text splitting (section <c>Edge:Segmentation</c>).</summary>
    public static IServiceCollection AddEdgeSegmentation(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddEdgeOptions<SegmentationOptions>(configuration, SegmentationOptions.SectionName);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SegmentationOptions>, SegmentationOptionsValidator>());
        return services;
    }
}
