using System.Globalization;
using ChatTts.Edge.LoadTests.Reporting;
using ChatTts.Edge.TestKit;

namespace ChatTts.Edge.LoadTests.Scenarios.Tls;

/// <summary>Judges the one threshold (no failed stream) and lays out the figures as a report; the latencies are figures, not targets.</summary>
internal static class TlsReport
{
    public static ScenarioResult Judge(TlsFigures figures)
    {
        ArgumentNullException.ThrowIfNull(figures);
        var failed = figures.Modes.Sum(m => m.Failed + m.WarmupFailed);
        return new ScenarioResult(
        [
            new("no failed stream in any mode (warm-up included)",
                string.Join(", ", figures.Modes.Select(m => $"{m.Mode.Name()} {Figures.Count(m.Failed + m.WarmupFailed)} of {Figures.Count(m.Streams + m.WarmupStreams)}")),
                failed == 0),
        ]);
    }

    public static Report Build(TlsFigures figures, TlsSettings settings, ScenarioContext context, ScenarioResult result)
    {
        ArgumentNullException.ThrowIfNull(figures);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(result);
        var report = new Report("Load test: what mutual TLS costs the time to first audio")
            .AddFact("Command", context.Command, code: true)
            .AddFact("Date", MachineFacts.Date(context.Time))
            .AddFact("Machine", MachineFacts.Describe() + "; load generator, emulators and proxy share it")
            .AddFact("Load", $"one client, one stream at a time (latency, not throughput), in rounds of one stream per mode whose order rotates " +
                $"each round; {Figures.Count(settings.WarmupStreams)} unmeasured warm-up rounds, then {Figures.Count(settings.Streams)} measured; " +
                $"GET /v1/tts/stream (text '{TlsSettings.Text}', {TlsSettings.Text.Length} characters, chunk_ms={settings.ChunkMs}), each body read " +
                $"to its end; a stream counts as good only if it ends with done; took {Figures.Seconds(figures.Elapsed)} in all")
            .AddFact("TTFA", "the client's time from sending the request, before any connection is opened (so the TCP connect and the TLS " +
                "handshake are in it), to the first audio event; nearest-rank percentiles over the measured streams that ended with done")
            .AddFact("Backends", $"{settings.Backends} in-process emulators, dialect {TlsSettings.Dialect}, synthetic voice, RTF 0, " +
                $"no first-chunk delay, Metadata:MaxConcurrency={TlsSettings.MaxConcurrency} each (admission does not queue)")
            .AddFact("Proxy", $"one `dotnet ChatTts.Edge.Proxy.dll` process from its build output, ASPNETCORE_ENVIRONMENT=Production, " +
                $"two Kestrel endpoints (port 0: Kestrel picks a free one): {TlsSettings.PlainEndpoint} {figures.Endpoints[0]} and " +
                $"{TlsSettings.MtlsEndpoint} {figures.Endpoints[1]} with ClientCertificateMode=RequireCertificate and the server certificate's " +
                $"PEM files; Edge:ClientCertificates:TrustedCaPath=<the CA's PEM>; plans anonymous and certificate: " +
                $"RequestsPerMinute={QuotaSettings.UnlimitedRequestsPerMinute}, " +
                $"Burst={TlsSettings.AnonymousBurst} and {TlsSettings.CertificateBurst} (different only to tell them apart in RateLimit-Limit), " +
                $"CharactersPerDay={QuotaSettings.UnlimitedCharactersPerDay}, ConcurrentStreams={QuotaSettings.UnlimitedConcurrentStreams}, so no quota refuses")
            .AddFact("PKI", "throw-away, ECDSA P-256, in a temporary folder deleted at the end: a CA; a server certificate CN=localhost, SAN " +
                "IP 127.0.0.1 and DNS localhost, EKU serverAuth; a client certificate CN=loadtest, SAN IP 127.0.0.1, EKU clientAuth (the proxy's caller cert:loadtest)")
            .AddFact("Clients", "SocketsHttpHandler, HTTP/1.1; URLs name the host localhost (the TLS target host, sent as SNI) and a connect " +
                "callback dials 127.0.0.1 (no name lookup); the server certificate must chain to the throw-away CA alone " +
                "(X509ChainTrustMode.CustomRootTrust, no revocation check) and match localhost; the client certificate as an SslStreamCertificateContext. " +
                ".NET on Linux keeps client TLS sessions per process and target host name, not per handler, and never for an IP address: " +
                "hence the name, and AllowTlsResume = false where no session may be resumed");
        foreach (var mode in TlsModes.All)
        {
            report.AddFact($"Mode {mode.Name()}", mode.Description());
        }

        var negotiated = figures.Modes.SelectMany(m => m.Connections).Select(c => c.Hello?.Negotiated).OfType<string>().Distinct().ToList();
        report.AddFact("Negotiated", negotiated.Count > 0 ? string.Join("; ", negotiated) : "no ServerHello was read")
            .AddFact("Resumption", Resumption(figures));

        var plain = figures.Plain;
        var latency = new TextTable("mode", "streams", "failed", "TTFA p50", "TTFA p90", "TTFA p99", "TTFA max", "added p50", "added p99");
        foreach (var m in figures.Modes)
        {
            latency.Add(m.Mode.Name(), Figures.Count(m.Streams), Figures.Count(m.Failed), Ms(m.FirstAudioPercentile(50)), Ms(m.FirstAudioPercentile(90)),
                Ms(m.FirstAudioPercentile(99)), Ms(m.FirstAudioPercentile(100)), Added(m, plain, 50), Added(m, plain, 99));
        }

        var wire = new TextTable("mode", "new connections", "TLS handshakes", "resumed", "server cert checks", "bytes sent / connection",
            "bytes received / connection", "charged to plan");
        foreach (var m in figures.Modes)
        {
            string IfTls(int value) => m.Mode.UsesTls() ? Figures.Count(value) : "–";
            wire.Add(m.Mode.Name(), Figures.Count(m.Connections.Count), IfTls(m.Handshakes), IfTls(m.Resumed), IfTls(m.ServerCertificateChecks),
                Bytes(m.BytesSentPerConnection), Bytes(m.BytesReceivedPerConnection),
                string.Join(", ", m.Plans.OrderByDescending(p => p.Value).Select(p => $"{p.Key} {Figures.Count(p.Value)}")));
        }

        report.AddSection("Time to first audio, measured streams (added: this mode's percentile minus plain's)", latency)
            .AddSection("Connections, measured streams (resumed: the ServerHello accepted a pre-shared key; server cert checks: calls of the " +
                "client's certificate validation callback; bytes: as this client's socket saw them, TLS records included)", wire);
        return report
            .AddFailures(figures.Modes.SelectMany(m => m.Failures.Select(f => ($"{m.Mode.Name()}: {f.Key}", f.Value))), "failure (warm-up included)")
            .AddThresholds(result);
    }

    /// <summary>What the ServerHellos and the plans say about session resumption, in a sentence.</summary>
    private static string Resumption(TlsFigures figures)
    {
        var (full, resumed, kept) = (figures[TlsMode.MtlsFull], figures[TlsMode.MtlsResumed], figures[TlsMode.MtlsKeepAlive]);
        var certified = resumed.Plans.GetValueOrDefault("certificate");
        return $"mtls-full resumed {Figures.Count(full.Resumed)} of {Figures.Count(full.Handshakes)} handshakes, mtls-resumed " +
            $"{Figures.Count(resumed.Resumed)} of {Figures.Count(resumed.Handshakes)}; mtls-keepalive opened {Figures.Count(kept.Connections.Count)} " +
            $"new connections while measured; {Figures.Count(certified)} of {Figures.Count(resumed.Streams)} mtls-resumed streams were charged " +
            "to plan certificate" + (resumed.Resumed > 0 && certified == resumed.Streams
                ? ", so the proxy still knew the client certificate (cert:loadtest) on resumed sessions"
                : "");
    }

    private static string Ms(TimeSpan? value) => Figures.Milliseconds(value, "0.00");

    private static string Added(ModeFigures mode, ModeFigures plain, double percent) =>
        mode.Mode == TlsMode.Plain ? "–"
        : mode.FirstAudioPercentile(percent) is { } value && plain.FirstAudioPercentile(percent) is { } baseline
            ? (value - baseline).TotalMilliseconds.ToString("+0.00;−0.00;0.00", CultureInfo.InvariantCulture) + " ms"
            : "–";

    private static string Bytes(double? value) => value is { } v ? Figures.Number(v, "0") : "–";
}
