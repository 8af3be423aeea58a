using ChatTts.Edge.Security;
using ChatTts.Edge.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ChatTts.Edge.Tests.Security;

/// <summary>Why each certificate of the matrix is refused (the handshake tests see only that it is).</summary>
public sealed class ClientCertificateValidatorTests : IDisposable
{
    private readonly TestCertificates _pki = new();

    public void Dispose() => _pki.Dispose();

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

    private static ClientCertificateValidator Validator(string? trustedCaPath, params string[] allowed) =>
        new(Options.Create(new ClientCertificateOptions { TrustedCaPath = trustedCaPath, AllowedSubjects = [.. allowed] }), TimeProvider.System, NullLogger<ClientCertificateValidator>.Instance);
}
