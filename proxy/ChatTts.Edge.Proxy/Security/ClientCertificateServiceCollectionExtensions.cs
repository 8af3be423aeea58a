using ChatTts.Edge.Security;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

internal static class ClientCertificateServiceCollectionExtensions
{
    /// <summary>
    /// Inbound mutual TLS (section <c>Edge:ClientCertificates</c>): every HTTPS endpoint of Kestrel validates client
    /// certificates with <see cref="ClientCertificateValidator"/>; whether an endpoint asks for one is Kestrel's own
    /// <c>Kestrel:Endpoints:&lt;name&gt;:ClientCertificateMode</c>.
    /// </summary>
    public static IServiceCollection AddEdgeClientCertificates(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddEdgeOptions<ClientCertificateOptions>(configuration, ClientCertificateOptions.SectionName)
            .Validate(o => o.TrustedCaPath is not { Length: > 0 } path || File.Exists(path),
                $"{ClientCertificateOptions.SectionName}:TrustedCaPath names a file that does not exist.")
            .Validate(o => o.TrustedCaPath is not { Length: > 0 } path || !File.Exists(path) || PemFile<object>.Loads(path, p => PemFile<object>.LoadBundle(p)),
                $"{ClientCertificateOptions.SectionName}:TrustedCaPath cannot be read as a PEM bundle of certificates.")
            // Read from configuration, not from the quota options, whose own mistakes are reported on their own.
            .Validate(
                certificates => certificates.TrustedCaPath is not { Length: > 0 }
                    || configuration.GetSection(ChatTts.Edge.Quotas.QuotaOptions.SectionName).GetSection("Plans").GetSection(certificates.Plan).Exists(),
                $"{ClientCertificateOptions.SectionName}:Plan must name a plan of Edge:Quotas:Plans (certificate holders are charged to it).");
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ClientCertificateValidator>();
        services.AddOptions<KestrelServerOptions>().Configure<IServiceProvider>((kestrel, provider) =>
            kestrel.ConfigureHttpsDefaults(https =>
            {
                var validator = provider.GetRequiredService<ClientCertificateValidator>();
                https.ClientCertificateValidation = validator.Validate;
            }));
        return services;
    }
}
