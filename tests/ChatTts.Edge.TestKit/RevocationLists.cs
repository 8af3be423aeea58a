using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace ChatTts.Edge.TestKit;

/// <summary>CRLs for the throw-away PKI (<see cref="ThrowawayPki"/>), built with .NET's own <see cref="CertificateRevocationListBuilder"/>.</summary>
internal static class RevocationLists
{
    /// <summary>When the test CRLs say their certificates were revoked.</summary>
    public static readonly DateTimeOffset RevokedOn = new(2026, 3, 4, 5, 6, 7, TimeSpan.Zero);

    /// <summary>
    /// A DER CRL of <paramref name="issuer"/> (which holds its private key) revoking <paramref name="revoked"/> on
    /// <see cref="RevokedOn"/>; its next update is <paramref name="nextUpdateIn"/> away (7 days if not given).
    /// </summary>
    public static byte[] Build(X509Certificate2 issuer, IEnumerable<X509Certificate2> revoked, X509RevocationReason? reason = null, TimeSpan? nextUpdateIn = null, HashAlgorithmName? hash = null)
    {
        var builder = new CertificateRevocationListBuilder();
        foreach (var certificate in revoked)
        {
            builder.AddEntry(certificate, RevokedOn, reason);
        }

        var now = TimeProvider.System.GetUtcNow();
        var nextUpdate = now + (nextUpdateIn ?? TimeSpan.FromDays(7));
        var thisUpdate = (nextUpdate < now ? nextUpdate : now).AddDays(-1);
        var padding = issuer.PublicKey.Oid.Value == "1.2.840.113549.1.1.1" ? RSASignaturePadding.Pkcs1 : null; // an RSA key must be told its padding
        return builder.Build(issuer, crlNumber: 1, nextUpdate, hash ?? HashAlgorithmName.SHA256, padding, thisUpdate);
    }

    /// <summary>A PEM file's text holding <paramref name="crls"/>, one <c>X509 CRL</c> block each.</summary>
    public static string Pem(params byte[][] crls) => string.Join('\n', crls.Select(crl => PemEncoding.WriteString("X509 CRL", crl)));
}
