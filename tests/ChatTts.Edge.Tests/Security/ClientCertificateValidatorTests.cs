using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using ChatTts.Edge.Security;
using ChatTts.Edge.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChatTts.Edge.Tests.Security;

/// <summary>Why each certificate of the matrix is refused (the handshake tests see only that it is).</summary>
public sealed class ClientCertificateValidatorTests : IDisposable
{
    private readonly ThrowawayPki _pki = new();
    private readonly LogCapture _logs = new();
    private readonly LoggerFactory _logging;

    public ClientCertificateValidatorTests() => _logging = new LoggerFactory([_logs]);

    private string CrlPath => Path.Combine(_pki.Folder, "revoked.crl");

    public void Dispose()
    {
        _logging.Dispose();
        _pki.Dispose();
    }

    [Fact]
    public void Check_EachFlaw_IsNamed()
    {
        var validator = Validator(_pki.CaPath, "device-1", MutualTlsFixture.AllowedUri);

        Assert.Null(validator.Check(_pki.Client("ok", "device-1").Certificate));
        Assert.Null(validator.Check(_pki.Client("by-uri", "some-host", uri: MutualTlsFixture.AllowedUri).Certificate));
        Assert.Contains("chain does not end at a trusted CA", validator.Check(_pki.Client("other", "device-1", otherCa: true).Certificate));
        Assert.Equal("outside its validity period", validator.Check(_pki.Client("old", "device-1", notBefore: TimeSpan.FromDays(-30), notAfter: TimeSpan.FromDays(-1)).Certificate));
        Assert.Equal("outside its validity period", validator.Check(_pki.Client("early", "device-1", notBefore: TimeSpan.FromDays(1)).Certificate));
        Assert.NotNull(validator.Check(_pki.Client("server", "device-1", eku: "1.3.6.1.5.5.7.3.1").Certificate));
        Assert.Equal("it lacks the clientAuth extended key usage", validator.Check(_pki.Client("no-eku", "device-1", eku: null).Certificate));
        Assert.Equal("neither its CN nor a SAN is in AllowedSubjects", validator.Check(_pki.Client("intruder", "intruder").Certificate));
    }

    [Fact]
    public void Check_CaBundleReplacedOnDisk_TakesEffectForTheNextCheck()
    {
        var validator = Validator(_pki.CaPath);
        var fromOther = _pki.Client("other", "device-1", otherCa: true).Certificate;
        Assert.NotNull(validator.Check(fromOther));

        File.WriteAllText(_pki.CaPath, File.ReadAllText(_pki.CaPath) + "\n" + File.ReadAllText(_pki.OtherCaPath));

        Assert.Null(validator.Check(fromOther));
    }

    [Fact]
    public void Check_WithoutTrustedCaPath_RefusesEveryCertificate()
    {
        var validator = Validator(trustedCaPath: null);

        Assert.Contains("TrustedCaPath is not set", validator.Check(_pki.Client("ok", "device-1").Certificate));
    }

    [Fact]
    public async Task DevCertsScript_MakesAClientCertificateTheProxyAccepts()
    {
        var folder = Path.Combine(_pki.Folder, "dev");
        var script = Path.Combine(Repository.Root, "scripts", "dev-certs.sh");
        using (var run = System.Diagnostics.Process.Start("bash", [script, folder]))
        {
            await run.WaitForExitAsync();
            Assert.Equal(0, run.ExitCode);
        }

        var validator = Validator(Path.Combine(folder, "ca.pem"));
        using var client = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(Path.Combine(folder, "client.pem"), Path.Combine(folder, "client.key"));
        using var server = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(Path.Combine(folder, "server.pem"), Path.Combine(folder, "server.key"));

        Assert.Null(validator.Check(client));
        Assert.Equal("cert:dev-client", ClientCertificateValidator.Identity(client));
        Assert.NotNull(validator.Check(server)); // a server certificate is no client certificate
    }

    [Fact]
    public void Check_LeafOfAnIntermediateSentWithIt_IsAccepted()
    {
        var client = _pki.Client("via-intermediate", "device-1", intermediate: _pki.Intermediate("Issuing CA"));

        Assert.Null(Validator(_pki.CaPath).Check(client.Certificate, client.Intermediates));
    }

    [Fact]
    public void Check_LeafOfAnIntermediateNotSent_IsRefusedAsAPartialChain()
    {
        var client = _pki.Client("via-intermediate", "device-1", intermediate: _pki.Intermediate("Issuing CA"));

        Assert.Contains("PartialChain", Validator(_pki.CaPath).Check(client.Certificate));
    }

    [Fact]
    public void Check_IntermediateOfAnUntrustedCa_DoesNotHelp()
    {
        var client = _pki.Client("via-rogue", "device-1", intermediate: _pki.Intermediate("Rogue Issuing CA", otherCa: true));

        Assert.Contains("chain does not end at a trusted CA", Validator(_pki.CaPath).Check(client.Certificate, client.Intermediates));
    }

    [Fact]
    public void Check_SentCaNamedLikeTheTrustedRoot_IsNoTrustAnchor()
    {
        using var impostor = ThrowawayPki.CreateCa("ChatTts.Edge Test CA"); // the trusted root's name, another key
        var client = _pki.Client("via-impostor", "device-1", intermediate: impostor);

        Assert.Contains("chain does not end at a trusted CA", Validator(_pki.CaPath).Check(client.Certificate, [impostor]));
    }

    [Fact]
    public void Validate_PlatformChainFromTheHandshake_SuppliesTheSentIntermediates()
    {
        var client = _pki.Client("via-intermediate", "device-1", intermediate: _pki.Intermediate("Issuing CA"));
        using var platform = new X509Chain(); // as SslStream hands it over: what the client sent is in its extra store
        platform.ChainPolicy.ExtraStore.AddRange(client.Intermediates!);
        using var nothingSent = new X509Chain();

        Assert.True(Validator(_pki.CaPath).Validate(client.Certificate, platform, SslPolicyErrors.RemoteCertificateChainErrors));
        Assert.False(Validator(_pki.CaPath).Validate(client.Certificate, nothingSent, SslPolicyErrors.None));
    }

    [Fact]
    public void Check_RevokedByItsCasCrl_IsRefusedAndTheLogNamesSubjectSerialAndDate()
    {
        var revoked = _pki.Client("revoked", "device-1").Certificate;
        var kept = _pki.Client("kept", "device-1").Certificate;
        File.WriteAllText(CrlPath, RevocationLists.Pem(RevocationLists.Build(_pki.Ca, [revoked], X509RevocationReason.KeyCompromise)));
        var validator = ValidatorWithCrl();

        Assert.Equal("revoked on 2026-03-04 05:06:07Z (KeyCompromise)", validator.Check(revoked));
        Assert.Null(validator.Check(kept));
        Assert.Contains(_logs.Entries, entry => entry.Level == LogLevel.Warning
            && entry.Message == $"Client certificate 'CN=device-1' (serial {revoked.SerialNumber}) refused: revoked on 2026-03-04 05:06:07Z (KeyCompromise)");
    }

    [Fact]
    public void Check_OneFileWithTheCrlsOfRootAndIntermediate_EachRevokesWhatItsCaIssued()
    {
        var intermediate = _pki.Intermediate("Issuing CA");
        var revokedIntermediate = _pki.Intermediate("Revoked Issuing CA");
        var revokedLeaf = _pki.Client("revoked-leaf", "device-1", intermediate: intermediate);
        var keptLeaf = _pki.Client("kept-leaf", "device-1", intermediate: intermediate);
        var belowRevoked = _pki.Client("below-revoked", "device-1", intermediate: revokedIntermediate);
        File.WriteAllBytes(CrlPath, [.. RevocationLists.Build(_pki.Ca, [revokedIntermediate]), .. RevocationLists.Build(intermediate, [revokedLeaf.Certificate])]);
        var validator = ValidatorWithCrl();

        Assert.Equal("revoked on 2026-03-04 05:06:07Z", validator.Check(revokedLeaf.Certificate, revokedLeaf.Intermediates));
        Assert.Null(validator.Check(keptLeaf.Certificate, keptLeaf.Intermediates));
        Assert.Equal($"its CA 'CN=Revoked Issuing CA' (serial {revokedIntermediate.SerialNumber}) was revoked on 2026-03-04 05:06:07Z", validator.Check(belowRevoked.Certificate, belowRevoked.Intermediates));
    }

    [Fact]
    public void Check_CrlInTheCasNameSignedByAnotherKey_IsIgnoredAndLoggedOnce()
    {
        using var impostor = ThrowawayPki.CreateCa("ChatTts.Edge Test CA");
        var client = _pki.Client("target", "device-1").Certificate;
        File.WriteAllText(CrlPath, RevocationLists.Pem(RevocationLists.Build(impostor, [client])));
        var validator = ValidatorWithCrl();

        Assert.Null(validator.Check(client));
        Assert.Null(validator.Check(client));
        Assert.Single(_logs.Entries, entry => entry.Level == LogLevel.Warning && entry.Message.Contains("names the CA 'CN=ChatTts.Edge Test CA'", StringComparison.Ordinal)
            && entry.Message.Contains("is not signed by its key; it is ignored", StringComparison.Ordinal));
    }

    [Fact]
    public void Check_CrlPastItsNextUpdate_StillRevokesAndWarnsOnce()
    {
        var revoked = _pki.Client("revoked", "device-1").Certificate;
        File.WriteAllText(CrlPath, RevocationLists.Pem(RevocationLists.Build(_pki.Ca, [revoked], nextUpdateIn: TimeSpan.FromDays(-1))));
        var validator = ValidatorWithCrl();

        Assert.StartsWith("revoked on", validator.Check(revoked));
        Assert.StartsWith("revoked on", validator.Check(revoked));
        Assert.Single(_logs.Entries, entry => entry.Level == LogLevel.Warning && entry.Message.Contains("The CRL of 'CN=ChatTts.Edge Test CA'", StringComparison.Ordinal)
            && entry.Message.Contains("its next update is overdue); it is still used", StringComparison.Ordinal));
    }

    [Fact]
    public void Check_CrlReplacedOnDisk_TakesEffectForTheNextCheck()
    {
        var client = _pki.Client("later-revoked", "device-1").Certificate;
        File.WriteAllText(CrlPath, RevocationLists.Pem(RevocationLists.Build(_pki.Ca, [])));
        var validator = ValidatorWithCrl();
        Assert.Null(validator.Check(client));

        File.WriteAllBytes(CrlPath, RevocationLists.Build(_pki.Ca, [client])); // and now DER

        Assert.Equal("revoked on 2026-03-04 05:06:07Z", validator.Check(client));
    }

    [Fact]
    public void Check_CrlFileBecomesUnreadable_KeepsTheLastGoodCrlsAndLogsAnError()
    {
        var revoked = _pki.Client("revoked", "device-1").Certificate;
        File.WriteAllText(CrlPath, RevocationLists.Pem(RevocationLists.Build(_pki.Ca, [revoked])));
        var validator = ValidatorWithCrl();
        Assert.NotNull(validator.Check(revoked));

        File.WriteAllText(CrlPath, "-----BEGIN X509 CRL-----\nhalf written");
        Assert.NotNull(validator.Check(revoked));
        File.Delete(CrlPath);
        Assert.NotNull(validator.Check(revoked));

        Assert.Equal(2, _logs.Entries.Count(entry => entry.Level == LogLevel.Error && entry.Message.Contains("the last good 1 CRL(s) stay in force", StringComparison.Ordinal)));
    }

    private ClientCertificateValidator Validator(string? trustedCaPath, params string[] allowed) =>
        Validator(new ClientCertificateOptions { TrustedCaPath = trustedCaPath, AllowedSubjects = [.. allowed] });

    private ClientCertificateValidator ValidatorWithCrl() =>
        Validator(new ClientCertificateOptions { TrustedCaPath = _pki.CaPath, RevocationListPath = CrlPath });

    private ClientCertificateValidator Validator(ClientCertificateOptions options) =>
        new(Options.Create(options), TimeProvider.System, _logging.CreateLogger<ClientCertificateValidator>());
}
