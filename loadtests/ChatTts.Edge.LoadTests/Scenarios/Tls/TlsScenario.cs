using ChatTts.Edge.LoadTests.CommandLine;
using ChatTts.Edge.TestKit;

namespace ChatTts.Edge.LoadTests.Scenarios.Tls;

/// <summary>
/// What mutual TLS costs the time to first audio: one proxy process with a plain and an mTLS endpoint (a throw-away
/// PKI), backends that answer at once, and one client that streams, one at a time, over plain HTTP, over mTLS with a
/// full handshake per stream, over mTLS resuming the TLS session per stream, and over one kept-alive mTLS
/// connection. Figures, not targets: the only threshold is that no stream fails.
/// </summary>
internal sealed class TlsScenario : Scenario<TlsSettings>
{
    public override string Name => "tls";

    public override string Summary => "cost of mutual TLS in time to first audio: plain vs mTLS with a full handshake, a resumed session or a kept-alive " +
        "connection per stream, one stream at a time; no failures";

    public override IReadOnlyList<OptionHelp> Options => TlsSettings.Options;

    protected override TlsSettings Read(CommandLineArguments arguments) => TlsSettings.Read(arguments);

    protected override string StartLine(TlsSettings settings, RunSettings run) =>
        $"tls: creating a throw-away PKI, starting {settings.Backends} emulated GPUs and the proxy (a plain and an mTLS endpoint); " +
        $"{settings.WarmupStreams} warm-up and {settings.Streams} measured rounds of one stream per mode ({string.Join(", ", TlsModes.All.Select(m => m.Name()))}) …";

    protected override async Task<ScenarioResult> RunAsync(
        TlsSettings settings, Preparation preparation, ScenarioContext context, CancellationToken cancellationToken)
    {
        using var pki = new ThrowawayPki(context.Time);
        return await RunLocalAsync(settings.Environment(pki), context, async environment =>
        {
            var figures = await TlsMeasurement.RunAsync(environment, pki, settings, context, cancellationToken);
            var result = TlsReport.Judge(figures);
            return new ScenarioReport(TlsReport.Build(figures, settings, context, result), result);
        }, cancellationToken);
    }
}
