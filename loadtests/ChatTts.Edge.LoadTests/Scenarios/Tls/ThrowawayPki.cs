using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ChatTts.Edge.LoadTests.Scenarios.Tls;

/// <summary>
/// A PKI for one run, in a new temporary folder deleted on dispose: a CA, a server certificate for 127.0.0.1 and
/// localhost, and a client certificate <c>CN=loadtest</c>, all ECDSA P-256, each written as PEM (the certificate
/// and its PKCS#8 key). The proxy reads the files; the clients load them back.
/// </summary>
internal sealed class ThrowawayPki : IDisposable
{
    public const string ClientName = "loadtest";
    public const string ServerName = "localhost";
    private const string ServerAuthentication = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuthentication = "1.3.6.1.5.5.7.3.2";
    private static readonly TimeSpan Validity = TimeSpan.FromDays(2);

    private ThrowawayPki(string folder) => Folder = folder;

    public string Folder { get; }

    public string CaPath => Path.Combine(Folder, "ca.pem");

    public string ServerPath => Path.Combine(Folder, "server.pem");

    public string ServerKeyPath => Path.Combine(Folder, "server.key");

    public string ClientPath => Path.Combine(Folder, "client.pem");

    public string ClientKeyPath => Path.Combine(Folder, "client.key");

    public static ThrowawayPki Create(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        var pki = new ThrowawayPki(Directory.CreateTempSubdirectory("chattts-edge-loadtest-pki-").FullName);
        try
        {
            var now = time.GetUtcNow();
            using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var caRequest = new CertificateRequest("CN=ChatTts.Edge load-test CA", caKey, HashAlgorithmName.SHA256);
            caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
            using var ca = caRequest.CreateSelfSigned(now.AddHours(-1), now + Validity);
            File.WriteAllText(pki.CaPath, ca.ExportCertificatePem());

            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(IPAddress.Loopback);
            names.AddDnsName(ServerName);
            Issue(ca, $"CN={ServerName}", ServerAuthentication, names.Build(), now, pki.ServerPath, pki.ServerKeyPath);
            Issue(ca, $"CN={ClientName}", ClientAuthentication, null, now, pki.ClientPath, pki.ClientKeyPath);
            return pki;
        }
        catch
        {
            pki.Dispose();
            throw;
        }
    }

    /// <summary>The CA certificate, for the clients' trust in the server.</summary>
    public X509Certificate2 LoadCa() => X509CertificateLoader.LoadCertificateFromFile(CaPath);

    /// <summary>The client certificate with its private key.</summary>
    public X509Certificate2 LoadClient() => X509Certificate2.CreateFromPemFile(ClientPath, ClientKeyPath);

    public void Dispose()
    {
        if (Directory.Exists(Folder))
        {
            Directory.Delete(Folder, recursive: true);
        }
    }

    private static void Issue(
        X509Certificate2 ca, string subject, string usage, X509Extension? names, DateTimeOffset now, string path, string keyPath)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usage)], false));
        if (names is not null)
        {
            request.CertificateExtensions.Add(names);
        }

        using var certificate = request.Create(ca, now.AddHours(-1), now + Validity, RandomNumberGenerator.GetBytes(12));
        File.WriteAllText(path, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
    }
}
