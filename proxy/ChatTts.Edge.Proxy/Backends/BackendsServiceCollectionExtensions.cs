using ChatTts.Edge.Backends;
using ChatTts.Edge.Backends.Dialects;
using ChatTts.Edge.Backends.Health;
using ChatTts.Edge.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;

namespace Microsoft.Extensions.DependencyInjection;

internal static class BackendsServiceCollectionExtensions
{
    /// <summary>
    /// Registers the ChatTTS fleet: YARP's configuration, health and load balancing for the <c>chattts</c>
    /// cluster (section <c>ReverseProxy</c>), the four dialects, destination selection and passive health.
    /// </summary>
    public static IServiceCollection AddEdgeBackends(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddEnumerable(
        [
            ServiceDescriptor.Singleton<IBackendDialect, WebUiDialect>(),
            ServiceDescriptor.Singleton<IBackendDialect, ChatTtsOpenAiDialect>(),
            ServiceDescriptor.Singleton<IBackendDialect, ForgeDialect>(),
            ServiceDescriptor.Singleton<IBackendDialect, ChatTtsUiDialect>(),
        ]);
        services.TryAddSingleton<DialectRegistry>();
        services.TryAddSingleton<DestinationSettingsCache>();
        services.TryAddSingleton<BackendActivity>();
        services.TryAddSingleton<BackendSelector>();
        services.TryAddSingleton<BackendFailuresPolicy>();
        services.AddSingleton<IPassiveHealthCheckPolicy>(provider => provider.GetRequiredService<BackendFailuresPolicy>());
        services.AddSingleton<IActiveHealthCheckPolicy, BusyAwareProbePolicy>();

        services.AddEdgeOptions<BackendTlsOptions>(configuration, BackendTlsOptions.SectionName)
            .Validate(o => o.ClientCertificate.Path is not { Length: > 0 } == o.ClientCertificate.KeyPath is not { Length: > 0 },
                $"{BackendTlsOptions.SectionName}:ClientCertificate needs both Path and KeyPath, or neither.")
            .Validate(o => new[] { o.ClientCertificate.Path, o.ClientCertificate.KeyPath, o.TrustedCaPath }.All(p => p is not { Length: > 0 } || File.Exists(p)),
                $"{BackendTlsOptions.SectionName}: a certificate, key or CA file named there does not exist.")
            .Validate(o => o.TrustedCaPath is not { Length: > 0 } ca || !File.Exists(ca) || ChatTts.Edge.Security.PemFile<object>.Loads(ca, p => ChatTts.Edge.Security.PemFile<object>.LoadBundle(p)),
                $"{BackendTlsOptions.SectionName}:TrustedCaPath cannot be read as a PEM bundle of certificates.")
            .Validate(o => o.ClientCertificate is not { Path: { Length: > 0 } path, KeyPath: { Length: > 0 } key } || !File.Exists(path) || !File.Exists(key)
                    || ChatTts.Edge.Security.PemFile<object>.Loads(path, p => System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(p, key).Dispose()),
                $"{BackendTlsOptions.SectionName}:ClientCertificate cannot be read as a PEM certificate with its private key.");

        services.AddHealthChecks()
            .AddCheck<BackendsReadyCheck>("backends", tags: [HealthTags.Ready])
            .AddCheck<BackendCertificatesReadyCheck>("backend-certificates", tags: [HealthTags.Ready, HealthTags.Pod]);
        services.AddReverseProxy()
            .LoadFromConfig(configuration.GetSection("ReverseProxy"))
            .AddConfigFilter<BackendConfigFilter>();
        services.AddSingleton<IForwarderHttpClientFactory, BackendHttpClientFactory>();
        return services;
    }

    /// <summary>
    /// Loads the backend configuration and starts YARP's health checks; a backend list with mistakes stops the start
    /// with an <see cref="EdgeConfigurationException"/> naming each. The edge declares no YARP routes: syntheses are
    /// sent by the streaming endpoint, not forwarded.
    /// </summary>
    public static IEndpointRouteBuilder MapEdgeBackends(this IEndpointRouteBuilder endpoints)
    {
        try
        {
            endpoints.MapReverseProxy();
        }
        catch (Exception ex) when (EdgeConfigurationException.Find(ex) is { } backends && !ReferenceEquals(ex, backends))
        {
            throw backends; // YARP wraps its configuration filters' exceptions
        }

        return endpoints;
    }
}
