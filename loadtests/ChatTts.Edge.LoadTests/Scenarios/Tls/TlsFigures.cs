using ChatTts.Edge.LoadTests.Load;
using ChatTts.Edge.LoadTests.Reporting;

namespace ChatTts.Edge.LoadTests.Scenarios.Tls;

/// <summary>What one mode measured.</summary>
/// <param name="Streams">Measured streams.</param>
/// <param name="Failed">Of those, the ones that did not end with <c>done</c>.</param>
/// <param name="WarmupStreams">Unmeasured streams before them.</param>
/// <param name="WarmupFailed">Of those, the ones that did not end with <c>done</c>.</param>
/// <param name="FirstAudio">Client-side time to the first <c>audio</c> event of the measured streams that ended with <c>done</c>.</param>
/// <param name="Plans">The plan each measured stream was charged to, from its <c>RateLimit-Limit</c>: plan → streams.</param>
/// <param name="Connections">The connections the measured streams opened (what their <see cref="WireTap"/>s saw).</param>
/// <param name="ServerCertificateChecks">How often the client judged the server's certificate during the measured streams.</param>
/// <param name="Failures">Why streams failed (warm-up included): reason → streams.</param>
internal sealed record ModeFigures(
    TlsMode Mode,
    int Streams,
    int Failed,
    int WarmupStreams,
    int WarmupFailed,
    IReadOnlyList<TimeSpan> FirstAudio,
    IReadOnlyDictionary<string, int> Plans,
    IReadOnlyList<WireTap> Connections,
    int ServerCertificateChecks,
    IReadOnlyDictionary<string, int> Failures)
{
    /// <summary>Connections whose ServerHello could be read (TLS only).</summary>
    public int Handshakes => Connections.Count(c => c.Hello is not null);

    /// <summary>Of those, the ones whose server accepted a pre-shared key: the session was resumed.</summary>
    public int Resumed => Connections.Count(c => c.Hello is { Resumed: true });

    public double? BytesSentPerConnection => Connections.Count > 0 ? Connections.Average(c => (double)c.BytesSent) : null;

    public double? BytesReceivedPerConnection => Connections.Count > 0 ? Connections.Average(c => (double)c.BytesReceived) : null;

    public TimeSpan? FirstAudioPercentile(double percent) => Figures.Percentile(FirstAudio, percent);

    public static ModeFigures Of(TlsModeClient client, IReadOnlyList<TlsStream> streams)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(streams);
        var mode = client.Mode;
        var ours = streams.Where(s => s.Mode == mode).ToList();
        var measured = ours.Where(s => s.Measured).ToList();
        var warmup = ours.Where(s => !s.Measured).ToList();
        static bool Failed(TlsStream s) => s.Outcome.Status != StreamStatus.Done;
        return new ModeFigures(
            mode,
            measured.Count,
            measured.Count(Failed),
            warmup.Count,
            warmup.Count(Failed),
            [.. measured.Where(s => !Failed(s) && s.Outcome.FirstAudio is not null).Select(s => s.Outcome.FirstAudio!.Value)],
            measured.GroupBy(s => s.Plan ?? "(no RateLimit-Limit)").ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal),
            [.. client.Connections.Where(c => c.Measured)],
            client.ServerCertificateChecks,
            ours.Where(Failed).GroupBy(s => s.Outcome.Failure ?? s.Outcome.Status.ToString())
                .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal));
    }
}

/// <summary>Everything the scenario measured.</summary>
/// <param name="Endpoints">The proxy's plain and mTLS addresses.</param>
/// <param name="Elapsed">The wall time of all the streams, warm-up included.</param>
internal sealed record TlsFigures(IReadOnlyList<ModeFigures> Modes, IReadOnlyList<Uri> Endpoints, TimeSpan Elapsed)
{
    public ModeFigures Plain => Modes.Single(m => m.Mode == TlsMode.Plain);

    public ModeFigures this[TlsMode mode] => Modes.Single(m => m.Mode == mode);
}
