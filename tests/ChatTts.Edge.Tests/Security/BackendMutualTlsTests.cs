using System.Net;
using ChatTts.Edge.Tests.Infrastructure;
using ChatTts.Emulator;

namespace ChatTts.Edge.Tests.Security;

/// <summary>Outbound TLS: a GPU server that accepts only the proxy's certificate, and that the proxy must trust.</summary>
public sealed class BackendMutualTlsTests : IDisposable
{
    private readonly ThrowawayPki _pki = new();

    public void Dispose() => _pki.Dispose();

    [Fact]
    public async Task Stream_ToABackendThatRequiresClientCertificates_PresentsTheProxysAndStreamsByteExact()
    {
        await using var backend = await EmulatorInstance.StartAsync(HttpsBackend());
        var proxyCertificate = _pki.Client("proxy", "chattts-edge");
        await using var edge = EdgeApp.Start(backend, Settings(proxyCertificate, _pki.CaPath));
        using var client = edge.CreateRealClient();

        var stream = await SseCapture.GetAsync(client, "/v1/tts/stream?text=" + Uri.EscapeDataString("Over mutual TLS to the GPU."));

        Assert.Equal(Uri.UriSchemeHttps, backend.BaseAddress.Scheme);
        Assert.Equal("done", stream.EventTypes.Last());
        Assert.Equal(backend.ProducedPcm(Assert.Single(backend.Requests)), stream.AudioPcm());
    }

    [Fact]
    public async Task WrongTrustedCa_BackendIsReportedUnhealthy_AndNoAudioIsServed()
    {
        await using var backend = await EmulatorInstance.StartAsync(HttpsBackend());
        var settings = Settings(_pki.Client("proxy", "chattts-edge"), _pki.OtherCaPath);
        settings["ReverseProxy:Clusters:chattts:HealthCheck:Active:Enabled"] = "true";
        settings["ReverseProxy:Clusters:chattts:HealthCheck:Active:Interval"] = "00:00:00.200";
        settings["ReverseProxy:Clusters:chattts:HealthCheck:Active:Policy"] = "ConsecutiveFailures";
        await using var edge = EdgeApp.Start(backend, settings);
        using var client = edge.CreateRealClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        // YARP recomputes the available destinations just after a health change: wait for both.
        await FleetStatus.WaitUntilAsync(client, s => FleetStatus.Destination(s, "gpu0") is { } gpu
            && gpu.GetProperty("health").GetProperty("active").GetString() == "unhealthy"
            && !gpu.GetProperty("available").GetBoolean(), timeout.Token);
        using var refused = await client.GetAsync("/v1/tts/stream?text=hello", timeout.Token);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal(0, backend.RequestCount);
    }

    [Fact]
    public async Task ProxyWithoutItsCertificate_IsRefusedByTheBackend_AndTheClientGetsAProblemNotAudio()
    {
        await using var backend = await EmulatorInstance.StartAsync(HttpsBackend());
        await using var edge = EdgeApp.Start(backend, new Dictionary<string, string?>
        {
            ["Edge:Backends:TrustedCaPath"] = _pki.CaPath,
            ["ReverseProxy:Clusters:chattts:HealthCheck:Active:Enabled"] = "false",
        });
        using var client = edge.CreateRealClient();

        using var response = await client.GetAsync("/v1/tts/stream?text=hello");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(0, backend.RequestCount);
    }

    [Fact]
    public async Task ProxyCertificateFilesReplaced_NextConnectionPresentsTheNewCertificate()
    {
        await using var backend = await EmulatorInstance.StartAsync(HttpsBackend());
        var wrong = _pki.Client("proxy-old", "chattts-edge", otherCa: true); // the GPU does not accept this one
        var right = _pki.Client("proxy-new", "chattts-edge");
        var path = Path.Combine(_pki.Folder, "proxy.pem");
        var keyPath = Path.Combine(_pki.Folder, "proxy.key");
        File.Copy(wrong.Path, path);
        File.Copy(wrong.KeyPath, keyPath);
        var settings = Settings(new CertificateFiles(path, keyPath, wrong.Certificate), _pki.CaPath);
        settings["ReverseProxy:Clusters:chattts:HealthCheck:Active:Enabled"] = "false";
        await using var edge = EdgeApp.Start(backend, settings);
        using var client = edge.CreateRealClient();

        using (var refused = await client.GetAsync("/v1/tts/stream?text=hello"))
        {
            Assert.Equal(HttpStatusCode.BadGateway, refused.StatusCode);
        }

        File.Copy(right.KeyPath, keyPath, overwrite: true);
        File.Copy(right.Path, path, overwrite: true);
        var stream = await SseCapture.GetAsync(client, "/v1/tts/stream?text=hello");

        Assert.Equal("done", stream.EventTypes.Last());
        Assert.Equal(1, backend.RequestCount);
    }

    private EmulatorOptions HttpsBackend() => new()
    {
        Dialect = "chattts-openai",
        Engine = SpeechEngine.Synthetic,
        FirstChunkDelay = TimeSpan.FromMilliseconds(10),
        RealTimeFactor = 0,
        ServerCertificate = _pki.Server.Certificate,
        ClientCertificateAuthority = _pki.Ca,
    };

    private static Dictionary<string, string?> Settings(CertificateFiles proxyCertificate, string trustedCaPath) => new()
    {
        ["Edge:Backends:ClientCertificate:Path"] = proxyCertificate.Path,
        ["Edge:Backends:ClientCertificate:KeyPath"] = proxyCertificate.KeyPath,
        ["Edge:Backends:TrustedCaPath"] = trustedCaPath,
    };
}
