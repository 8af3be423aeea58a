using ChatTts.Edge.LoadTests.CommandLine;
using ChatTts.Edge.LoadTests.Environment;

namespace ChatTts.Edge.LoadTests.Scenarios.Tls;

/// <summary>
/// What mutual TLS costs the time to first audio: one proxy process with a plain and an mTLS endpoint (a throw-away
/// PKI), backends that answer at once, and one client that streams, one at a time, over plain HTTP, over mTLS with a
/// full handshake per stream, over mTLS resuming the TLS session per stream, and over one kept-alive mTLS
/// connection. Figures, not targets: the only threshold is that no stream fails.
/// </summary>
internal sealed class TlsScenario : IScenario
{
    public string Name => "tls";

    public string Summary => "cost of mutual TLS in time to first audio: plain vs mTLS with a full handshake, a resumed session or a kept-alive " +
        "connection per stream, one stream at a time; no failures";

    public IReadOnlyList<OptionHelp> Options => TlsSettings.Options;

    public RunDefaults Defaults => RunDefaults.Standard;

    public async Task<ScenarioResult> RunAsync(CommandLineArguments arguments, ScenarioContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(context);
        var settings = TlsSettings.Read(arguments);
        arguments.ThrowIfUnread();

        await context.Output.WriteLineAsync(
            $"tls: creating a throw-away PKI, starting {settings.Backends} emulated GPUs and the proxy (a plain and an mTLS endpoint); " +
            $"{settings.WarmupStreams} warm-up and {settings.Streams} measured rounds of one stream per mode ({string.Join(", ", TlsModes.All.Select(m => m.Name()))}) …");
        using var pki = ThrowawayPki.Create(context.Time);
        await using var environment = await LocalEnvironment.StartAsync(settings.Environment(pki), context.Time, cancellationToken);
        return await environment.RunAsync(async () =>
        {
            var figures = await TlsMeasurement.RunAsync(environment, pki, settings, context, cancellationToken);
            var result = TlsReport.Judge(figures);
            await context.PublishAsync(Name, TlsReport.Build(figures, settings, context, result), result);
            return result;
        }, context.Error, cancellationToken);
    }
}
