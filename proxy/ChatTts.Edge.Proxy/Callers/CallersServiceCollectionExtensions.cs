using ChatTts.Edge.Callers;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

internal static class CallersServiceCollectionExtensions
{
    /// <summary>
    /// Registers who may call: API keys, browser tokens and anonymous callers (section <c>Edge:Quotas</c>), and the proxies
    /// in front of the edge whose forwarded headers name the client (section <c>Edge:ForwardedHeaders</c>).
    /// </summary>
    public static IServiceCollection AddEdgeCallers(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddEdgeOptions<ForwarderOptions>(configuration, ForwarderOptions.SectionName);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ForwarderOptions>, ForwarderOptionsValidator>());
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ForwarderOptions>>((forwarded, trusted) =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            forwarded.ForwardLimit = trusted.Value.ForwardLimit;

            // Only the configured ones: not even loopback, which ASP.NET Core trusts by default.
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var proxy in trusted.Value.KnownProxies)
            {
                forwarded.KnownProxies.Add(System.Net.IPAddress.Parse(proxy));
            }

            foreach (var network in trusted.Value.KnownNetworks)
            {
                forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
            }
        });
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
