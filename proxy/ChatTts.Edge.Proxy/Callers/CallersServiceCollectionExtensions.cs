using ChatTts.Edge.Callers;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

internal static class CallersServiceCollectionExtensions
{
    /// <summary>Registers who may call: API keys, browser tokens and anonymous callers (section <c>Edge:Quotas</c>).</summary>
    public static IServiceCollection AddEdgeCallers(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddEdgeOptions<CallerOptions>(configuration, CallerOptions.SectionName);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CallerOptions>, CallerOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<BrowserTokens>();
        services.TryAddSingleton<CallerIdentifier>();

        // API keys may travel in the query string (api_key, for EventSource): the request line is never logged.
        services.Configure<LoggerFilterOptions>(logging => logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning));
        return services;
    }
}
