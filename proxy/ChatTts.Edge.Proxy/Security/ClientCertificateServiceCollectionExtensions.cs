using ChatTts.Edge.Hosting;
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
            .ValidateFile(o => o.TrustedCaPath, nameof(ClientCertificateOptions.TrustedCaPath), "a PEM bundle of certificates", p => PemFile<object>.LoadBundle(p))
            .ValidateFile(o => o.RevocationListPath, nameof(ClientCertificateOptions.RevocationListPath),
                "CRLs (PEM 'X509 CRL' blocks or DER) signed with RSA or ECDSA and SHA-256, SHA-384 or SHA-512", p => CertificateRevocationList.Load(p))
            // Read from the configuration itself: the quotas (which own the plans) come later in the request's flow.
            .Validate(
                certificates => certificates.TrustedCaPath is not { Length: > 0 }
                    || configuration.GetSection(ClientCertificateOptions.PlansSection).GetSection(certificates.Plan).Exists(),
                $"{ClientCertificateOptions.SectionName}:Plan must name a plan of {ClientCertificateOptions.PlansSection} (certificate holders are charged to it).");
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ClientCertificateValidator>();
        services.AddHealthChecks().AddCheck<CertificatesReadyCheck>("certificates", tags: [HealthTags.Ready, HealthTags.Pod]);
        services.AddOptions<KestrelServerOptions>().Configure<IServiceProvider>((kestrel, provider) =>
            kestrel.ConfigureHttpsDefaults(https =>
            {
                var validator = provider.GetRequiredService<ClientCertificateValidator>();
                https.ClientCertificateValidation = validator.Validate;
            }));
        return services;
    }

    /// <summary>When the key <paramref name="name"/> is set, its file must exist and <paramref name="load"/> must read it.</summary>
    private static OptionsBuilder<ClientCertificateOptions> ValidateFile(
        this OptionsBuilder<ClientCertificateOptions> options, Func<ClientCertificateOptions, string?> path, string name, string readableAs, Action<string> load) =>
        options
            .Validate(o => path(o) is not { Length: > 0 } file || File.Exists(file),
                $"{ClientCertificateOptions.SectionName}:{name} names a file that does not exist.")
            .Validate(o => path(o) is not { Length: > 0 } file || !File.Exists(file) || PemFile<object>.Loads(file, load),
                $"{ClientCertificateOptions.SectionName}:{name} cannot be read as {readableAs}.");
}
