using System.Formats.Asn1;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;
using ChatTts.Edge.Hosting;

namespace ChatTts.Edge.Security;

/// <summary>
/// Decides during the TLS handshake whether a client certificate is let in: its chain must end at a CA of
/// <c>Edge:ClientCertificates:TrustedCaPath</c> only (a custom trust store, never the machine's roots); intermediate
/// CAs the client sends help build it but are never trusted themselves. The certificate must be within its validity
/// period, carry the clientAuth EKU, not be revoked by a CRL of <c>RevocationListPath</c> (nor any CA of its chain),
/// and match <c>AllowedSubjects</c> when that is set.
/// </summary>
internal sealed partial class ClientCertificateValidator
{
    private const string ClientAuthentication = "1.3.6.1.5.5.7.3.2";
    private const string SubjectAlternativeName = "2.5.29.17";

    private readonly ClientCertificateOptions _options;
    private readonly PemFile<X509Certificate2Collection>? _trusted;
    private readonly RevocationListFile? _revocations;
    private readonly TimeProvider _time;
    private readonly ILogger<ClientCertificateValidator> _logger;

    public ClientCertificateValidator(IOptions<ClientCertificateOptions> options, TimeProvider time, ILogger<ClientCertificateValidator> logger)
    {
        _options = options.Value;
        _time = time;
        _logger = logger;
        _trusted = _options.TrustedCaPath is { Length: > 0 } path ? new PemFile<X509Certificate2Collection>(path, PemFile<X509Certificate2Collection>.LoadBundle) : null;
        _revocations = _options.RevocationListPath is { Length: > 0 } crl ? new RevocationListFile(crl, time, logger) : null;
    }

    /// <summary>
    /// Kestrel's <c>ClientCertificateValidation</c> callback. The platform's verdict is ignored; its chain only
    /// brings the certificates the client sent after its own.
    /// </summary>
    public bool Validate(X509Certificate2 certificate, X509Chain? chain, SslPolicyErrors errors) => Check(certificate, Presented(chain)) is null;

    /// <summary>
    /// Null when the certificate is let in; otherwise why not (for the log). <paramref name="presented"/>: the
    /// intermediate CAs the client sent, candidates for the chain and never trust anchors.
    /// </summary>
    public string? Check(X509Certificate2 certificate, X509Certificate2Collection? presented = null)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var reason = Reason(certificate, presented);
        if (reason is not null)
        {
            Log.Refused(_logger, certificate.Subject, certificate.SerialNumber, reason);
        }

        return reason;
    }

    /// <summary>The caller identity of a verified certificate: <c>cert:&lt;subject CN&gt;</c>.</summary>
    public const string IdentityPrefix = "cert:";

    public static string Identity(X509Certificate2 certificate) => IdentityPrefix + CommonName(certificate);

    private string? Reason(X509Certificate2 certificate, X509Certificate2Collection? presented)
    {
        if (_trusted is null)
        {
            return $"{ClientCertificateOptions.SectionName}:TrustedCaPath is not set, so no client certificate is trusted";
        }

        var now = _time.GetUtcNow();
        if (now < certificate.NotBefore.ToUniversalTime() || now > certificate.NotAfter.ToUniversalTime())
        {
            return "outside its validity period";
        }

        using var chain = CustomTrust.Chain(_trusted.Current);
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid(ClientAuthentication));
        chain.ChainPolicy.DisableCertificateDownloads = true; // a client's AIA URL must not make the edge fetch anything
        if (presented is not null)
        {
            chain.ChainPolicy.ExtraStore.AddRange(presented);
        }

        if (!chain.Build(certificate))
        {
            return "its chain does not end at a trusted CA or it lacks the clientAuth EKU: " +
                string.Join(", ", chain.ChainStatus.Select(s => s.Status));
        }

        if (_revocations?.Revoked(chain) is { } revoked)
        {
            return revoked;
        }

        if (!HasClientAuthentication(certificate))
        {
            return "it lacks the clientAuth extended key usage";
        }

        if (_options.AllowedSubjects.Count > 0 && !Names(certificate).Any(name => _options.AllowedSubjects.Contains(name, StringComparer.OrdinalIgnoreCase)))
        {
            return "neither its CN nor a SAN is in AllowedSubjects";
        }

        return null;
    }

    /// <summary>The certificates the client sent after its own (SslStream puts them in the chain's extra store).</summary>
    private static X509Certificate2Collection? Presented(X509Chain? platform)
    {
        if (platform is null)
        {
            return null;
        }

        var presented = new X509Certificate2Collection(platform.ChainPolicy.ExtraStore);
        foreach (var element in platform.ChainElements.Skip(1))
        {
            presented.Add(element.Certificate);
        }

        return presented;
    }

    /// <summary>Required explicitly: a certificate without any EKU extension is valid for every use to X509Chain.</summary>
    private static bool HasClientAuthentication(X509Certificate2 certificate) =>
        certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().Any(e => e.EnhancedKeyUsages.Cast<Oid>().Any(o => o.Value == ClientAuthentication));

    private static string CommonName(X509Certificate2 certificate) => certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);

    /// <summary>The subject CN and every DNS and URI subject alternative name.</summary>
    private static IEnumerable<string> Names(X509Certificate2 certificate)
    {
        yield return CommonName(certificate);
        if (certificate.Extensions[SubjectAlternativeName] is X509SubjectAlternativeNameExtension san)
        {
            foreach (var dns in san.EnumerateDnsNames())
            {
                yield return dns;
            }

            foreach (var uri in Uris(san))
            {
                yield return uri;
            }
        }
    }

    /// <summary>URI names ([6] IA5String) of a SAN extension; .NET enumerates only DNS names and IP addresses.</summary>
    private static List<string> Uris(X509SubjectAlternativeNameExtension san)
    {
        var uris = new List<string>();
        try
        {
            var reader = new AsnReader(san.RawData, AsnEncodingRules.DER).ReadSequence();
            while (reader.HasData)
            {
                var tag = reader.PeekTag();
                if (tag.TagClass == TagClass.ContextSpecific && tag.TagValue == 6)
                {
                    uris.Add(reader.ReadCharacterString(UniversalTagNumber.IA5String, new Asn1Tag(TagClass.ContextSpecific, 6)));
                }
                else
                {
                    reader.ReadEncodedValue();
                }
            }
        }
        catch (AsnContentException)
        {
            // A malformed SAN names nobody.
        }

        return uris;
    }

    private static partial class Log
    {
        [LoggerMessage(LogEvents.ClientCertificateRefused, LogLevel.Warning, "Client certificate '{Subject}' (serial {SerialNumber}) refused: {Reason}")]
        public static partial void Refused(ILogger logger, string subject, string serialNumber, string reason);
    }
}
