using ChatTts.Edge.Api.OpenAi;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

internal static class OpenAiServiceCollectionExtensions
{
    /// <summary>
    /// Registers OpenAI's speech API (section <c>Edge:OpenAi</c>): its options, its request reader, and the writer of its errors
    /// in OpenAI's shape.
    /// </summary>
    public static IServiceCollection AddEdgeOpenAi(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddEdgeOptions<OpenAiOptions>(configuration, OpenAiOptions.SectionName);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<OpenAiOptions>, OpenAiOptionsValidator>());
        services.TryAddSingleton<OpenAiSpeechRequestReader>();

        // The problem details service asks its writers in the order they were registered and the framework's own takes every
        // problem, so OpenAI's goes first; it takes only the OpenAI routes' problems.
        if (!services.Any(d => d.ServiceType == typeof(IProblemDetailsWriter) && d.ImplementationType == typeof(OpenAiErrorWriter)))
        {
            services.Insert(0, ServiceDescriptor.Singleton<IProblemDetailsWriter, OpenAiErrorWriter>());
        }

        return services;
    }
}
