using System.Diagnostics;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using ChatTts.Edge.Tests.Infrastructure;
using ChatTts.Emulator;

namespace ChatTts.Edge.Tests.Security;

/// <summary>
/// One proxy process behind an mTLS endpoint (<c>RequireCertificate</c>, the test CA, AllowedSubjects device-1 and a
/// URI, a CRL file with the CRLs of the test CA and of an intermediate CA), one emulated GPU, and the client
/// certificates of the acceptance matrix.
/// </summary>
public sealed class MutualTlsFixture : IAsyncLifetime
{
    public const string AllowedUri = "spiffe://edge.test/device-2";

    internal ThrowawayPki Pki { get; } = new();

    internal EmulatorInstance Backend { get; private set; } = null!;

    internal ProxyProcess Proxy { get; private set; } = null!;

    internal Dictionary<string, CertificateFiles?> Clients { get; } = [];

    internal string RevocationListPath { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Clients["device-1"] = Pki.Client("device-1", "device-1");
        Clients["uri-san"] = Pki.Client("uri-san", "device-2-host", uri: AllowedUri);
        Clients["none"] = null;
        Clients["other-ca"] = Pki.Client("other-ca", "device-1", otherCa: true);
        Clients["expired"] = Pki.Client("expired", "device-1", notBefore: TimeSpan.FromDays(-30), notAfter: TimeSpan.FromDays(-1));
        Clients["not-yet-valid"] = Pki.Client("not-yet-valid", "device-1", notBefore: TimeSpan.FromDays(1), notAfter: TimeSpan.FromDays(30));
        Clients["server-eku-only"] = Pki.Client("server-eku-only", "device-1", eku: "1.3.6.1.5.5.7.3.1");
        Clients["not-allowed"] = Pki.Client("not-allowed", "intruder");
        var intermediate = Pki.Intermediate("ChatTts.Edge Issuing CA");
        Clients["via-intermediate"] = Pki.Client("via-intermediate", "device-1", intermediate: intermediate);
        Clients["intermediate-not-sent"] = Clients["via-intermediate"]! with { Intermediates = null };
        Clients["untrusted-intermediate"] = Pki.Client("untrusted-intermediate", "device-1", intermediate: Pki.Intermediate("Rogue Issuing CA", otherCa: true));
        Clients["revoked"] = Pki.Client("revoked", "device-1");
        Clients["revoked-via-intermediate"] = Pki.Client("revoked-via-intermediate", "device-1", intermediate: intermediate);
        RevocationListPath = Path.Combine(Pki.Folder, "clients.crl.pem");
        File.WriteAllText(RevocationListPath, RevocationLists.Pem(
            RevocationLists.Build(Pki.Ca, [Clients["revoked"]!.Certificate]),
            RevocationLists.Build(intermediate, [Clients["revoked-via-intermediate"]!.Certificate])));

        Backend = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("webui"));
        Proxy = await ProxyProcess.StartAsync(new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Testing",
            ["Kestrel__Endpoints__Mtls__Url"] = $"https://127.0.0.1:{Loopback.FreePort()}",
            ["Kestrel__Endpoints__Mtls__Certificate__Path"] = Pki.Server.Path,
            ["Kestrel__Endpoints__Mtls__Certificate__KeyPath"] = Pki.Server.KeyPath,
            ["Kestrel__Endpoints__Mtls__ClientCertificateMode"] = "RequireCertificate",
            ["Kestrel__Endpoints__Optional__Url"] = $"https://127.0.0.1:{Loopback.FreePort()}",
            ["Kestrel__Endpoints__Optional__Certificate__Path"] = Pki.Server.Path,
            ["Kestrel__Endpoints__Optional__Certificate__KeyPath"] = Pki.Server.KeyPath,
            ["Kestrel__Endpoints__Optional__ClientCertificateMode"] = "AllowCertificate",
            ["Edge__ClientCertificates__TrustedCaPath"] = Pki.CaPath,
            ["Edge__ClientCertificates__RevocationListPath"] = RevocationListPath,
            ["Edge__ClientCertificates__AllowedSubjects__0"] = "device-1",
            ["Edge__ClientCertificates__AllowedSubjects__1"] = AllowedUri,
            ["ReverseProxy__Clusters__chattts__Destinations__gpu0__Address"] = Backend.BaseAddress.AbsoluteUri,
            ["ReverseProxy__Clusters__chattts__Destinations__gpu0__Metadata__Dialect"] = Backend.Dialect,
        }, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        if (Proxy is not null)
        {
            await Proxy.DisposeAsync();
        }

        if (Backend is not null)
        {
            await Backend.DisposeAsync();
        }

        Pki.Dispose();
    }

    /// <summary>The <c>RequireCertificate</c> endpoint.</summary>
    internal Uri Required => Proxy.Addresses[0];

    /// <summary>The <c>AllowCertificate</c> endpoint.</summary>
    internal Uri Optional => Proxy.Addresses[1];

    /// <summary>
    /// A client that presents <paramref name="certificate"/> (or none), sending its intermediate CAs in the handshake
    /// when it has any, and trusts only the test CA for the server.
    /// </summary>
    internal HttpClient Client(CertificateFiles? certificate, Uri? endpoint = null)
    {
        var ca = X509CertificateLoader.LoadCertificateFromFile(Pki.CaPath);
        var handler = new SocketsHttpHandler
        {
            SslOptions =
            {
                ClientCertificates = certificate is null or { Intermediates: not null } ? null : new X509CertificateCollection { certificate.Certificate },
                ClientCertificateContext = certificate?.Intermediates is { } intermediates
                    ? SslStreamCertificateContext.Create(certificate.Certificate, intermediates, offline: true)
                    : null,
                RemoteCertificateValidationCallback = (_, server, _, _) =>
                {
                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(ca);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return server is X509Certificate2 leaf && chain.Build(leaf);
                },
            },
        };
        return new HttpClient(handler) { BaseAddress = endpoint ?? Required };
    }

    /// <summary>Runs curl against the proxy with <paramref name="certificate"/>; returns its exit code and the HTTP status it saw.</summary>
    internal async Task<(int ExitCode, string Status)> CurlAsync(CertificateFiles? certificate, string pathAndQuery)
    {
        List<string> arguments = ["-sS", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "20", "--cacert", Pki.CaPath];
        if (certificate is not null)
        {
            arguments.AddRange(["--cert", certificate.Path, "--key", certificate.KeyPath]);
        }

        arguments.Add(new Uri(Required, pathAndQuery).AbsoluteUri);
        var start = new ProcessStartInfo("curl", arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var curl = Process.Start(start) ?? throw new InvalidOperationException("curl did not start");
        var output = await curl.StandardOutput.ReadToEndAsync();
        await curl.WaitForExitAsync();
        return (curl.ExitCode, output.Trim());
    }
}
