using System.Net;
using System.Text.Json;
using ChatTts.Edge.Tests.Infrastructure;

namespace ChatTts.Edge.Tests.Security;

/// <summary>Inbound mutual TLS with real handshakes: the acceptance matrix with HttpClient and with curl.</summary>
public sealed class MutualTlsTests(MutualTlsFixture fixture) : IClassFixture<MutualTlsFixture>
{
    public static TheoryData<string> Refused =>
    [
        "none", "other-ca", "expired", "not-yet-valid", "server-eku-only", "not-allowed",
        "intermediate-not-sent", "untrusted-intermediate", "revoked", "revoked-via-intermediate",
    ];

    [Theory]
    [InlineData("device-1")]
    [InlineData("uri-san")] // allowed by its URI SAN
    [InlineData("via-intermediate")] // issued by an intermediate CA it sends in the handshake
    public async Task Stream_WithAValidClientCertificate_Works(string client)
    {
        using var http = fixture.Client(fixture.Clients[client]);

        var stream = await SseCapture.GetAsync(http, "/v1/tts/stream?text=hello");

        Assert.Equal(HttpStatusCode.OK, stream.Status);
        Assert.Equal("done", stream.EventTypes.Last());
    }

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task Stream_WithoutAnAcceptableCertificate_FailsTheHandshakeAndNoBackendIsCalled(string client)
    {
        var before = fixture.Backend.RequestCount;
        using var http = fixture.Client(fixture.Clients[client]);

        var failure = await Record.ExceptionAsync(() => http.GetAsync("/v1/tts/stream?text=hello"));

        Assert.IsType<HttpRequestException>(failure);
        Assert.Equal(before, fixture.Backend.RequestCount);
    }

    [Theory]
    [InlineData("device-1", true)]
    [InlineData("uri-san", true)]
    [InlineData("none", false)]
    [InlineData("other-ca", false)]
    [InlineData("expired", false)]
    [InlineData("not-yet-valid", false)]
    [InlineData("server-eku-only", false)]
    [InlineData("not-allowed", false)]
    [InlineData("via-intermediate", true)] // curl sends the intermediate that follows the certificate in its file
    [InlineData("untrusted-intermediate", false)]
    [InlineData("revoked", false)]
    [InlineData("revoked-via-intermediate", false)]
    public async Task Curl_TheSameMatrix_AcceptsAndRejectsTheSameCertificates(string client, bool accepted)
    {
        var before = fixture.Backend.RequestCount;

        var (exitCode, status) = await fixture.CurlAsync(fixture.Clients[client], "/v1/tts/stream?text=hello");

        if (accepted)
        {
            Assert.Equal((0, "200"), (exitCode, status));
            Assert.Equal(before + 1, fixture.Backend.RequestCount);
        }
        else
        {
            Assert.NotEqual(0, exitCode); // the handshake (or the first read after it) fails
            Assert.NotEqual(58, exitCode); // not because curl could not read the certificate's files
            Assert.NotEqual("200", status);
            Assert.Equal(before, fixture.Backend.RequestCount);
        }
    }

    [Theory]
    [InlineData("revoked")]
    [InlineData("revoked-via-intermediate")]
    public async Task Stream_WithARevokedCertificate_FailsTheHandshakeAndTheLogNamesSubjectSerialAndDate(string client)
    {
        var certificate = fixture.Clients[client]!.Certificate;
        using var http = fixture.Client(fixture.Clients[client]);

        Assert.IsType<HttpRequestException>(await Record.ExceptionAsync(() => http.GetAsync("/v1/tts/stream?text=hello")));

        var logged = $"Client certificate 'CN=device-1' (serial {certificate.SerialNumber}) refused: revoked on 2026-03-04 05:06:07Z";
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!fixture.Proxy.Output.Contains(logged, StringComparison.Ordinal))
        {
            await Task.Delay(50, timeout.Token); // the proxy's console output arrives through a pipe
        }
    }

    [Fact]
    public async Task ServerCertificateFileReplaced_NewConnectionsSeeTheNewCertificate()
    {
        var before = await ServerThumbprintAsync();

        var rotated = fixture.Pki.RotateServer("localhost-rotated");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var seen = before;
        while (seen != rotated)
        {
            await Task.Delay(100, timeout.Token);
            try
            {
                seen = await ServerThumbprintAsync();
            }
            catch (HttpRequestException)
            {
                // The certificate and its key are two files: a handshake between the two writes may fail.
            }
        }

        Assert.NotEqual(before, seen);
        Assert.Equal(rotated, seen);
    }

    /// <summary>The thumbprint of the certificate the proxy presents on a new connection.</summary>
    private async Task<string> ServerThumbprintAsync()
    {
        string? thumbprint = null;
        using var handler = new SocketsHttpHandler
        {
            SslOptions =
            {
                ClientCertificates = [fixture.Clients["device-1"]!.Certificate],
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                {
                    thumbprint = (certificate as System.Security.Cryptography.X509Certificates.X509Certificate2)?.Thumbprint;
                    return certificate is not null && (errors & System.Net.Security.SslPolicyErrors.RemoteCertificateNotAvailable) == 0; // the test CA is not in the machine's store
                },
            },
        };
        using var http = new HttpClient(handler) { BaseAddress = fixture.Required };
        using var response = await http.GetAsync("/v1/usage");
        return thumbprint ?? throw new InvalidOperationException("no server certificate seen");
    }

    [Theory]
    [InlineData("device-1", HttpStatusCode.OK)]
    [InlineData("none", HttpStatusCode.Unauthorized)] // no certificate and no API key: no identity
    public async Task AllowCertificateEndpoint_CertificateIdentifiesTheCaller_WithoutOneAKeyIsNeeded(string client, HttpStatusCode expected)
    {
        using var http = fixture.Client(fixture.Clients[client], fixture.Optional);

        using var response = await http.GetAsync("/v1/usage");

        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task AllowCertificateEndpoint_AnUnacceptableCertificate_StillFailsTheHandshake()
    {
        using var http = fixture.Client(fixture.Clients["other-ca"], fixture.Optional);

        Assert.IsType<HttpRequestException>(await Record.ExceptionAsync(() => http.GetAsync("/v1/usage")));
    }

    [Fact]
    public async Task Usage_OfACertificateHolder_IsChargedToCertColonCommonName()
    {
        using var http = fixture.Client(fixture.Clients["device-1"]);

        Assert.Equal("done", (await SseCapture.GetAsync(http, "/v1/tts/stream?text=hello")).EventTypes.Last());
        using var usage = await http.GetAsync("/v1/usage");
        var body = JsonDocument.Parse(await usage.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, usage.StatusCode);
        Assert.Equal("cert:device-1", body.GetProperty("key_id").GetString());
        Assert.Equal("certificate", body.GetProperty("plan").GetString());
        Assert.True(body.GetProperty("characters").GetProperty("used").GetInt64() >= 5);
    }

    [Fact]
    public async Task Token_MintedByACertificateHolder_LetsItsBrowserInWithoutTheCertificate()
    {
        using var holder = fixture.Client(fixture.Clients["device-1"], fixture.Optional);
        using var minted = await holder.PostAsync("/v1/tokens", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, minted.StatusCode);
        var token = JsonDocument.Parse(await minted.Content.ReadAsStringAsync()).RootElement.GetProperty("token").GetString();

        using var browser = fixture.Client(fixture.Clients["none"], fixture.Optional);
        var stream = await SseCapture.GetAsync(browser, "/v1/tts/stream?text=hello&api_key=" + Uri.EscapeDataString(token!));
        using var usage = await browser.GetAsync("/v1/usage?api_key=" + Uri.EscapeDataString(token!));

        Assert.Equal("done", stream.EventTypes.Last());
        Assert.Equal("cert:device-1", JsonDocument.Parse(await usage.Content.ReadAsStringAsync()).RootElement.GetProperty("key_id").GetString());
    }
}
