using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace ChatTts.Edge.Security;

/// <summary>
/// One X.509 CRL (RFC 5280 §5.1), read with <see cref="AsnReader"/> because .NET builds CRLs but does not read them:
/// its issuer, its update times and the serial numbers it revokes. Its entries mean something only once
/// <see cref="IsSignedBy"/> has verified its signature with the issuing CA's key. Delta and indirect CRLs are not
/// supported (an entry always belongs to the CRL's own issuer).
/// </summary>
internal sealed class CertificateRevocationList(
    ReadOnlyMemory<byte> signed, (bool Rsa, HashAlgorithmName Hash) algorithm, byte[] signature, X500DistinguishedName issuer, DateTimeOffset? nextUpdate, Dictionary<string, RevokedCertificate> revoked)
{
    private const string ReasonCode = "2.5.29.21";

    /// <summary>The signature algorithms verified: RSA (PKCS#1 v1.5) and ECDSA, each with SHA-256, SHA-384 or SHA-512.</summary>
    private static readonly Dictionary<string, (bool Rsa, HashAlgorithmName Hash)> Algorithms = new()
    {
        ["1.2.840.113549.1.1.11"] = (true, HashAlgorithmName.SHA256),
        ["1.2.840.113549.1.1.12"] = (true, HashAlgorithmName.SHA384),
        ["1.2.840.113549.1.1.13"] = (true, HashAlgorithmName.SHA512),
        ["1.2.840.10045.4.3.2"] = (false, HashAlgorithmName.SHA256),
        ["1.2.840.10045.4.3.3"] = (false, HashAlgorithmName.SHA384),
        ["1.2.840.10045.4.3.4"] = (false, HashAlgorithmName.SHA512),
    };

    public X500DistinguishedName Issuer { get; } = issuer;

    /// <summary>When the issuer promised the next CRL; null when it did not say.</summary>
    public DateTimeOffset? NextUpdate { get; } = nextUpdate;

    /// <summary>The entries by serial number, in hexadecimal as <see cref="X509Certificate.SerialNumber"/> writes it.</summary>
    public IReadOnlyDictionary<string, RevokedCertificate> Revoked { get; } = revoked;

    /// <summary>Every CRL of a file: the <c>X509 CRL</c> blocks of a PEM file, or DER (one CRL or several back to back).</summary>
    public static IReadOnlyList<CertificateRevocationList> Load(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var lists = new List<CertificateRevocationList>();
        if (bytes is [0x30, ..])
        {
            lists.AddRange(Read(bytes));
        }
        else
        {
            ReadOnlySpan<char> text = Encoding.ASCII.GetString(bytes);
            while (PemEncoding.TryFind(text, out var fields))
            {
                if (text[fields.Label] is "X509 CRL")
                {
                    lists.AddRange(Read(Convert.FromBase64String(text[fields.Base64Data].ToString())));
                }

                text = text[fields.Location.End..];
            }
        }

        return lists.Count > 0 ? lists : throw new InvalidOperationException($"{path} holds no CRL.");
    }

    /// <summary>
    /// The CRLs of DER bytes: one, or several back to back. A malformed one, or one signed with an algorithm not
    /// verified here, throws.
    /// </summary>
    public static IReadOnlyList<CertificateRevocationList> Read(ReadOnlyMemory<byte> der)
    {
        try
        {
            var reader = new AsnReader(der, AsnEncodingRules.DER);
            var lists = new List<CertificateRevocationList>();
            while (reader.HasData)
            {
                lists.Add(ReadOne(reader.ReadSequence()));
            }

            return lists;
        }
        catch (AsnContentException ex)
        {
            throw new CryptographicException("The CRL is not valid DER (RFC 5280 CertificateList).", ex);
        }
    }

    /// <summary>True when the CRL names <paramref name="ca"/> as its issuer (the same DER name); no proof yet.</summary>
    public bool NamesAsIssuer(X509Certificate2 ca) => Issuer.RawData.AsSpan().SequenceEqual(ca.SubjectName.RawData);

    /// <summary>
    /// True when <paramref name="ca"/> signed this CRL: the CRL names it as issuer, its key may sign CRLs, and the
    /// signature over the TBSCertList verifies with its public key.
    /// </summary>
    public bool IsSignedBy(X509Certificate2 ca)
    {
        if (!NamesAsIssuer(ca)
            || ca.Extensions.OfType<X509KeyUsageExtension>().Any(usage => !usage.KeyUsages.HasFlag(X509KeyUsageFlags.CrlSign)))
        {
            return false;
        }

        if (algorithm.Rsa)
        {
            using var rsa = ca.GetRSAPublicKey();
            return rsa is not null && rsa.VerifyData(signed.Span, signature, algorithm.Hash, RSASignaturePadding.Pkcs1);
        }

        using var ecdsa = ca.GetECDsaPublicKey();
        return ecdsa is not null && ecdsa.VerifyData(signed.Span, signature, algorithm.Hash, DSASignatureFormat.Rfc3279DerSequence);
    }

    /// <summary>CertificateList ::= SEQUENCE { tbsCertList, signatureAlgorithm, signatureValue } (RFC 5280 §5.1).</summary>
    private static CertificateRevocationList ReadOne(AsnReader certificateList)
    {
        var signed = certificateList.PeekEncodedValue();
        var tbs = certificateList.ReadSequence();
        var algorithm = certificateList.ReadEncodedValue();
        var signature = certificateList.ReadBitString(out _);
        certificateList.ThrowIfNotEmpty();

        var oid = new AsnReader(algorithm, AsnEncodingRules.DER).ReadSequence().ReadObjectIdentifier();
        if (!Algorithms.TryGetValue(oid, out var verified))
        {
            throw new CryptographicException($"The CRL is signed with {oid}; only RSA and ECDSA with SHA-256, SHA-384 or SHA-512 are verified.");
        }

        if (tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Integer))
        {
            tbs.ReadInteger(); // version (v2)
        }

        if (!tbs.ReadEncodedValue().Span.SequenceEqual(algorithm.Span))
        {
            throw new CryptographicException("The CRL names different signature algorithms inside and outside its signed part.");
        }

        var issuer = new X500DistinguishedName(tbs.ReadEncodedValue().Span);
        ReadTime(tbs); // thisUpdate
        DateTimeOffset? nextUpdate = tbs.HasData && IsTime(tbs.PeekTag()) ? ReadTime(tbs) : null;
        var revoked = new Dictionary<string, RevokedCertificate>(StringComparer.Ordinal);
        if (tbs.HasData && tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence))
        {
            var entries = tbs.ReadSequence();
            while (entries.HasData)
            {
                var entry = entries.ReadSequence();
                var serialNumber = Convert.ToHexString(entry.ReadIntegerBytes().Span);
                var revokedOn = ReadTime(entry);
                revoked[serialNumber] = new RevokedCertificate(serialNumber, revokedOn, entry.HasData ? Reason(entry.ReadSequence()) : null);
            }
        }

        return new CertificateRevocationList(signed, verified, signature, issuer, nextUpdate, revoked);
    }

    private static bool IsTime(Asn1Tag tag) => tag.HasSameClassAndValue(Asn1Tag.UtcTime) || tag.HasSameClassAndValue(Asn1Tag.GeneralizedTime);

    private static DateTimeOffset ReadTime(AsnReader reader) =>
        reader.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) ? reader.ReadUtcTime() : reader.ReadGeneralizedTime();

    /// <summary>The reasonCode entry extension, if there is one.</summary>
    private static X509RevocationReason? Reason(AsnReader extensions)
    {
        while (extensions.HasData)
        {
            var extension = extensions.ReadSequence();
            if (extension.ReadObjectIdentifier() == ReasonCode)
            {
                if (extension.PeekTag().HasSameClassAndValue(Asn1Tag.Boolean))
                {
                    extension.ReadBoolean(); // critical
                }

                return new AsnReader(extension.ReadOctetString(), AsnEncodingRules.DER).ReadEnumeratedValue<X509RevocationReason>();
            }
        }

        return null;
    }
}

/// <summary>A CRL entry: the certificate's serial number (hexadecimal), when it was revoked and, if the CA said, why.</summary>
internal sealed record RevokedCertificate(string SerialNumber, DateTimeOffset RevokedOn, X509RevocationReason? Reason);
