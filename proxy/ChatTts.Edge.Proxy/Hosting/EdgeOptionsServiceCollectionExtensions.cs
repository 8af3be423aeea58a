using ChatTts.Edge.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

internal static class EdgeOptionsServiceCollectionExtensions
{
    /// <summary>
    /// Binds <typeparamref name="TOptions"/> to the section <paramref name="sectionPath"/> the edge's way: DataAnnotations
    /// messages name each value by its key; the start-up check (<see cref="EdgeConfigurationCheck"/>) lists every
    /// mistake of every section at once; a live reload that fails validation keeps the last good values
    /// (<see cref="LastGoodOptionsMonitor{TOptions}"/>). Add the section's own rules to the builder returned.
    /// </summary>
    public static OptionsBuilder<TOptions> AddEdgeOptions<TOptions>(this IServiceCollection services, IConfiguration configuration, string sectionPath)
        where TOptions : class
    {
        var section = configuration.GetSection(sectionPath);
        services.AddSingleton(new EdgeOptionsSection(typeof(TOptions), section, provider => provider.GetRequiredService<IOptionsFactory<TOptions>>().Create(Options.Options.DefaultName)));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>>(new KeyedDataAnnotationsValidator<TOptions>(sectionPath)));
        services.TryAddSingleton<IOptionsMonitor<TOptions>>(provider => new LastGoodOptionsMonitor<TOptions>(
            provider.GetRequiredService<IOptionsFactory<TOptions>>(),
            provider.GetServices<IOptionsChangeTokenSource<TOptions>>(),
            provider.GetServices<EdgeOptionsSection>().First(s => s.OptionsType == typeof(TOptions)),
            provider,
            provider.GetRequiredService<ILogger<LastGoodOptionsMonitor<TOptions>>>()));
        return services.AddOptions<TOptions>().Bind(section);
    }
}
