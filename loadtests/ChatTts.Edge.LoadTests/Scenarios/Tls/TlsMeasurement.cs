using System.Globalization;
using System.Net.Security;
using ChatTts.Edge.LoadTests.Environment;
using ChatTts.Edge.LoadTests.Load;
using ChatTts.Edge.LoadTests.Reporting;
using ChatTts.Edge.TestKit;

namespace ChatTts.Edge.LoadTests.Scenarios.Tls;

/// <summary>
/// One client, one stream at a time, in rounds: each round runs one stream per mode, in an order that rotates from
/// round to round, so a drift of the machine (another build, a GC, the CPU's clock) reaches every mode alike and no
/// mode always follows the same one. The warm-up rounds come first and are not measured.
/// </summary>
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
        var streams = new List<TlsStream>();
        var started = context.Time.GetTimestamp();
        try
        {
            var rounds = settings.WarmupStreams + settings.Streams;
            for (var round = 0; round < rounds; round++)
            {
                var measured = round >= settings.WarmupStreams;
                for (var i = 0; i < clients.Count; i++)
                {
                    streams.Add(await clients[(round + i) % clients.Count].RunAsync(measured, cancellationToken));
                }

                var done = measured ? round + 1 - settings.WarmupStreams : round + 1;
                if (done == (measured ? settings.Streams : settings.WarmupStreams) || (measured && done % 100 == 0))
                {
                    await context.Output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                        $"  {(measured ? "measured" : "warm-up")} rounds: {done}, streams failed so far: " +
                        $"{streams.Count(s => s.Outcome.Status != StreamStatus.Done)}, elapsed {Figures.Seconds(context.Time.GetElapsedTime(started))}"));
                }
            }
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
