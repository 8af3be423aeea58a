using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ChatTts.Edge.TestKit;

/// <summary>
/// A throw-away PKI in a new temporary folder, all ECDSA P-256 unless asked otherwise: a CA, a CA nobody trusts, a server
/// certificate for 127.0.0.1 and <see cref="ServerName"/>, and on demand intermediate CAs and client certificates good
/// and bad, each written as PEM (the certificate followed by the intermediate CA that issued it, if one did, and a
/// PKCS#8 key). The proxy reads the files; clients use the certificates or load the files back. Deleted on dispose.
/// </summary>
internal sealed class ThrowawayPki : IDisposable
{
    /// <summary>The server certificate's DNS name (and common name, until <see cref="RotateServer"/>).</summary>
    public const string ServerName = "localhost";

    private const string ServerAuthentication = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuthentication = "1.3.6.1.5.5.7.3.2";

    private readonly TimeProvider _time;
    private readonly X509Certificate2 _ca;
    private readonly X509Certificate2 _otherCa;
    private readonly List<X509Certificate2> _intermediates = [];

    /// <param name="time">The clock certificates are valid from (a real one: TLS checks validity by the wall clock).</param>
    public ThrowawayPki(TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        Folder = Directory.CreateTempSubdirectory("chattts-edge-pki-").FullName;
        try
        {
            _ca = CreateCa("ChatTts.Edge Test CA", time: _time);
            _otherCa = CreateCa("Someone Else's CA", time: _time);
            CaPath = WriteCertificate("ca.pem", _ca);
            OtherCaPath = WriteCertificate("other-ca.pem", _otherCa);
            Server = Issue("server", _ca, ServerName, ServerAuthentication, TimeSpan.Zero, TimeSpan.FromDays(30), dnsName: ServerName);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Folder { get; }

    /// <summary>The test CA (public part), e.g. for an emulator that accepts only clients it issued.</summary>
    public X509Certificate2 Ca => _ca;

    public string CaPath { get; }

    public string OtherCaPath { get; }

    /// <summary>The CA nobody trusts (with its private key).</summary>
    public X509Certificate2 OtherCa => _otherCa;

    public CertificateFiles Server { get; private set; }

    /// <summary>
    /// A client certificate named <paramref name="commonName"/>, issued by the test CA unless said otherwise: by the
    /// other CA, or by <paramref name="intermediate"/> (then its files and <see cref="CertificateFiles.Intermediates"/>
    /// carry that intermediate too).
    /// </summary>
    public CertificateFiles Client(string name, string commonName, bool otherCa = false, string? eku = ClientAuthentication, TimeSpan? notBefore = null, TimeSpan? notAfter = null, string? uri = null, X509Certificate2? intermediate = null) =>
        Issue(name, intermediate ?? (otherCa ? _otherCa : _ca), commonName, eku, notBefore ?? TimeSpan.FromDays(-1), notAfter ?? TimeSpan.FromDays(30), uri: uri, intermediate: intermediate);

    /// <summary>An intermediate CA (with its private key) issued by the test CA, or by the other CA.</summary>
    public X509Certificate2 Intermediate(string commonName, bool otherCa = false)
    {
        var intermediate = CreateCa(commonName, otherCa ? _otherCa : _ca, time: _time);
        _intermediates.Add(intermediate);
        return intermediate;
    }

    /// <summary>
    /// A CA certificate with its private key, self-signed or issued by <paramref name="issuer"/> (for as long as the
    /// issuer is valid), with an ECDSA P-256 key or an RSA-2048 one.
    /// </summary>
    public static X509Certificate2 CreateCa(string name, X509Certificate2? issuer = null, bool rsa = false, TimeProvider? time = null)
    {
        using var ecdsa = rsa ? null : ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var rsaKey = rsa ? RSA.Create(2048) : null;
        var request = ecdsa is not null
            ? new CertificateRequest($"CN={name}", ecdsa, HashAlgorithmName.SHA256)
            : new CertificateRequest($"CN={name}", rsaKey!, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false)); // CRLs name their CA by it
        if (issuer is null)
        {
            var now = (time ?? TimeProvider.System).GetUtcNow();
            return request.CreateSelfSigned(now.AddDays(-60), now.AddYears(1)); // covers the expired client certificate's validity
        }

        using var issued = request.Create(issuer, issuer.NotBefore, issuer.NotAfter, RandomNumberGenerator.GetBytes(12));
        return ecdsa is not null ? issued.CopyWithPrivateKey(ecdsa) : issued.CopyWithPrivateKey(rsaKey!);
    }

    /// <summary>Issues a new server certificate over the same files (rotation) and returns its thumbprint.</summary>
    public string RotateServer(string commonName)
    {
        Server = Issue("server", _ca, commonName, ServerAuthentication, TimeSpan.Zero, TimeSpan.FromDays(30), dnsName: ServerName);
        return Server.Certificate.Thumbprint;
    }

    /// <summary>The CA certificate as a client that trusts it reads it: from <see cref="CaPath"/>, without its key.</summary>
    public X509Certificate2 LoadCa() => X509CertificateLoader.LoadCertificateFromFile(CaPath);

    public void Dispose()
    {
        _ca?.Dispose();
        _otherCa?.Dispose();
        _intermediates.ForEach(intermediate => intermediate.Dispose());
        if (Directory.Exists(Folder))
        {
            Directory.Delete(Folder, recursive: true);
        }
    }

    private CertificateFiles Issue(string name, X509Certificate2 issuer, string commonName, string? eku, TimeSpan notBefore, TimeSpan notAfter, string? dnsName = null, string? uri = null, X509Certificate2? intermediate = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        if (eku is not null)
        {
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(eku)], false));
        }

        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        if (dnsName is not null)
        {
            san.AddDnsName(dnsName);
        }

        if (uri is not null)
        {
            san.AddUri(new Uri(uri));
        }

        request.CertificateExtensions.Add(san.Build());
        var now = _time.GetUtcNow();
        using var issued = request.Create(issuer, now + notBefore, now + notAfter, RandomNumberGenerator.GetBytes(12));
        var certificate = issued.CopyWithPrivateKey(key);
        var path = WriteCertificate($"{name}.pem", certificate);
        var keyPath = Path.Combine(Folder, $"{name}.key");
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        if (intermediate is null)
        {
            return new CertificateFiles(path, keyPath, certificate);
        }

        File.AppendAllText(path, "\n" + intermediate.ExportCertificatePem());
        return new CertificateFiles(path, keyPath, certificate, [X509CertificateLoader.LoadCertificate(intermediate.RawData)]);
    }

    private string WriteCertificate(string fileName, X509Certificate2 certificate)
    {
        var path = Path.Combine(Folder, fileName);
        File.WriteAllText(path, certificate.ExportCertificatePem());
        return path;
    }
}

/// <summary>
/// A certificate's PEM files and the certificate itself (with its private key); <paramref name="Intermediates"/>: the
/// CAs between it and the root that its holder sends with it (also after it in <paramref name="Path"/>).
/// </summary>
internal sealed record CertificateFiles(string Path, string KeyPath, X509Certificate2 Certificate, X509Certificate2Collection? Intermediates = null)
{
    /// <summary>The certificate with its private key as its holder reads them: from the PEM files.</summary>
    public X509Certificate2 Load() => X509Certificate2.CreateFromPemFile(Path, KeyPath);
}
