using ChatTts.Edge.Tests.Infrastructure;

namespace ChatTts.Edge.Tests.Security;

/// <summary>Start-up checks of <c>Edge:ClientCertificates:RevocationListPath</c>: a bad CRL file fails the boot, named by its key.</summary>
public sealed class ClientCertificateConfigurationTests : IDisposable
{
    private readonly ThrowawayPki _pki = new();

    public void Dispose() => _pki.Dispose();

    [Theory]
    [InlineData("missing.crl", "Edge:ClientCertificates:RevocationListPath names a file that does not exist")]
    [InlineData("garbage.crl", "Edge:ClientCertificates:RevocationListPath cannot be read as CRLs (PEM 'X509 CRL' blocks or DER)")]
    [InlineData("ca.pem", "Edge:ClientCertificates:RevocationListPath cannot be read as CRLs")] // a certificate is no CRL
    public void Start_RevocationListPathNotACrlFile_FailsNamingTheKey(string file, string expected)
    {
        File.WriteAllText(Path.Combine(_pki.Folder, "garbage.crl"), "0 not a CRL");

        var failure = Assert.ThrowsAny<Exception>(() => EdgeApp.Start([], new Dictionary<string, string?>
        {
            ["Edge:ClientCertificates:TrustedCaPath"] = _pki.CaPath,
            ["Edge:ClientCertificates:Plan"] = "anonymous", // a plan EdgeApp declares
            ["Edge:ClientCertificates:RevocationListPath"] = Path.Combine(_pki.Folder, file),
        }));

        Assert.Contains(expected, failure.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_RevocationListPathAPemCrl_Starts()
    {
        var path = Path.Combine(_pki.Folder, "clients.crl.pem");
        File.WriteAllText(path, RevocationLists.Pem(RevocationLists.Build(_pki.Ca, [])));

        await using var app = EdgeApp.Start([], new Dictionary<string, string?>
        {
            ["Edge:ClientCertificates:TrustedCaPath"] = _pki.CaPath,
            ["Edge:ClientCertificates:Plan"] = "anonymous", // a plan EdgeApp declares
            ["Edge:ClientCertificates:RevocationListPath"] = path,
        });

        using var http = new HttpClient { BaseAddress = app.Address };
        Assert.True((await http.GetAsync("/healthz")).IsSuccessStatusCode);
    }
}
