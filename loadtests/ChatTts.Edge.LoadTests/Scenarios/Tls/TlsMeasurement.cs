using System.Net.Security;
using ChatTts.Edge.LoadTests.Environment;
using ChatTts.Edge.LoadTests.Load;
using ChatTts.Edge.LoadTests.Reporting;
using ChatTts.Edge.TestKit;

namespace ChatTts.Edge.LoadTests.Scenarios.Tls;

/// <summary>One client per mode, one stream at a time, in <see cref="RotatingRounds"/>.</summary>
internal static class TlsMeasurement
{
    public static async Task<TlsFigures> RunAsync(
        LocalEnvironment environment, ThrowawayPki pki, TlsSettings settings, ScenarioContext context, CancellationToken cancellationToken)
    {
        var plain = environment.ProxyAddresses.FirstOrDefault(a => a.Scheme == Uri.UriSchemeHttp);
        var mtls = environment.ProxyAddresses.FirstOrDefault(a => a.Scheme == Uri.UriSchemeHttps);
        if (plain is null || mtls is null)
        {
            throw new EnvironmentException($"The proxy should listen on one http and one https address, not on {string.Join(", ", environment.ProxyAddresses)}.");
        }

        using var ca = pki.LoadCa();
        using var certificate = pki.Client("client", TlsSettings.ClientName).Load();
        var certificateContext = SslStreamCertificateContext.Create(certificate, additionalCertificates: null, offline: true);
        var clients = TlsModes.All
            .Select(mode => new TlsModeClient(mode, settings.StreamUrl(mode.UsesTls() ? mtls : plain), ca, certificateContext, context.Time))
            .ToList();
        var started = context.Time.GetTimestamp();
        List<TlsStream> streams;
        try
        {
            streams = await RotatingRounds.RunAsync(clients, settings.WarmupStreams, settings.Streams, static (c, measured, ct) => c.RunAsync(measured, ct),
                static s => s.Outcome.Status != StreamStatus.Done, context, cancellationToken);
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }

        var elapsed = context.Time.GetElapsedTime(started);
        var modes = clients.Select(c => ModeFigures.Of(c, streams)).ToList();
        return new TlsFigures(modes, [plain, mtls], elapsed);
    }
}
