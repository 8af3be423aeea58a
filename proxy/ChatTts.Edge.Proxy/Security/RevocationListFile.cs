using System.Globalization;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using ChatTts.Edge.Hosting;

namespace ChatTts.Edge.Security;

/// <summary>
/// The CRLs of <c>Edge:ClientCertificates:RevocationListPath</c>, read again when the file's contents change. A CRL
/// counts only for the CA whose key signed it; one that names a CA of the chain but does not verify with its key is
/// ignored (and logged once): it is a wrong or damaged file, not the CA's word. Offline operation favours serving:
/// an expired CRL is still used, and a file that stops loading keeps the last good CRLs; both are logged.
/// </summary>
internal sealed partial class RevocationListFile
{
    private readonly PemFile<IReadOnlyList<CertificateRevocationList>> _file;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConditionalWeakTable<CertificateRevocationList, object> _expiryLogged = new();
    private readonly ConditionalWeakTable<CertificateRevocationList, object> _signatureLogged = new();
    private IReadOnlyList<CertificateRevocationList> _lastGood = [];
    private string? _problem;

    public RevocationListFile(string path, TimeProvider time, ILogger logger)
    {
        _time = time;
        _logger = logger;
        _file = new PemFile<IReadOnlyList<CertificateRevocationList>>(path, Load);
        Current(); // loaded at start-up, so the log says at once what is in force
    }

    /// <summary>
    /// Why <paramref name="chain"/> is refused when a CRL of one of its CAs revokes the certificate below that CA
    /// (the client's own, or an intermediate); null when none does.
    /// </summary>
    public string? Revoked(X509Chain chain)
    {
        var lists = Current();
        var elements = chain.ChainElements;
        for (var i = 0; i + 1 < elements.Count; i++)
        {
            var certificate = elements[i].Certificate;
            var issuer = elements[i + 1].Certificate;
            foreach (var list in lists)
            {
                if (Vouches(list, issuer) && list.Revoked.TryGetValue(certificate.SerialNumber, out var entry))
                {
                    var revoked = $"revoked on {entry.RevokedOn.ToString("u", CultureInfo.InvariantCulture)}{(entry.Reason is { } reason ? $" ({reason})" : "")}";
                    return i == 0 ? revoked : $"its CA '{certificate.Subject}' (serial {certificate.SerialNumber}) was {revoked}";
                }
            }
        }

        return null;
    }

    /// <summary>True when <paramref name="list"/> is <paramref name="ca"/>'s own CRL; logs one not signed by it, or expired.</summary>
    private bool Vouches(CertificateRevocationList list, X509Certificate2 ca)
    {
        if (!list.NamesAsIssuer(ca))
        {
            return false;
        }

        if (!list.IsSignedBy(ca))
        {
            if (_signatureLogged.TryAdd(list, ca))
            {
                Log.NotSignedByIssuer(_logger, ca.Subject, ca.Thumbprint, _file.Path);
            }

            return false;
        }

        if (list.NextUpdate is { } nextUpdate && nextUpdate < _time.GetUtcNow() && _expiryLogged.TryAdd(list, ca))
        {
            Log.Expired(_logger, ca.Subject, _file.Path, nextUpdate);
        }

        return true;
    }

    private IReadOnlyList<CertificateRevocationList> Current()
    {
        try
        {
            return _file.Current;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Unusable(ex);
        }
    }

    /// <summary>Called by <see cref="PemFile{T}"/> only when the contents changed.</summary>
    private IReadOnlyList<CertificateRevocationList> Load(string path)
    {
        try
        {
            _lastGood = CertificateRevocationList.Load(path);
            _problem = null;
            Log.Loaded(_logger, path, _lastGood.Count, _lastGood.Sum(list => list.Revoked.Count));
            return _lastGood;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException or InvalidOperationException)
        {
            return Unusable(ex);
        }
    }

    /// <summary>Keeps the last good CRLs; logs each new problem once, not at every handshake.</summary>
    private IReadOnlyList<CertificateRevocationList> Unusable(Exception ex)
    {
        if (Interlocked.Exchange(ref _problem, ex.Message) != ex.Message)
        {
            Log.Unusable(_logger, _file.Path, ex.Message, _lastGood.Count);
        }

        return _lastGood;
    }

    private static partial class Log
    {
        [LoggerMessage(LogEvents.RevocationListLoaded, LogLevel.Information, "Revocation list {Path} loaded: {Lists} CRL(s) revoking {Entries} certificate(s)")]
        public static partial void Loaded(ILogger logger, string path, int lists, int entries);

        [LoggerMessage(LogEvents.RevocationListUnusable, LogLevel.Error, "Revocation list {Path} cannot be used ({Problem}); the last good {Lists} CRL(s) stay in force")]
        public static partial void Unusable(ILogger logger, string path, string problem, int lists);

        [LoggerMessage(LogEvents.RevocationListNotSignedByItsCa, LogLevel.Warning, "A CRL in {Path} names the CA '{Issuer}' ({Thumbprint}) but is not signed by its key; it is ignored")]
        public static partial void NotSignedByIssuer(ILogger logger, string issuer, string thumbprint, string path);

        [LoggerMessage(LogEvents.RevocationListExpired, LogLevel.Warning, "The CRL of '{Issuer}' in {Path} expired at {NextUpdate:u} (its next update is overdue); it is still used")]
        public static partial void Expired(ILogger logger, string issuer, string path, DateTimeOffset nextUpdate);
    }
}
