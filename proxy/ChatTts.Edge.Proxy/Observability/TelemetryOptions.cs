using System.ComponentModel.DataAnnotations;
using OpenTelemetry.Exporter;

namespace ChatTts.Edge.Observability;

/// <summary>Section <c>Edge:Telemetry</c>: exporting the edge's traces and metrics to an OpenTelemetry collector.</summary>
internal sealed class TelemetryOptions
{
    public const string SectionName = "Edge:Telemetry";

    /// <summary>The OTLP endpoint, e.g. <c>http://otel-collector:4317</c> (gRPC) or <c>http://…:4318</c> (HTTP); off when empty.</summary>
    public Uri? OtlpEndpoint { get; set; }

    /// <summary><c>Grpc</c> (default) or <c>HttpProtobuf</c>.</summary>
    public OtlpExportProtocol OtlpProtocol { get; set; } = OtlpExportProtocol.Grpc;

    /// <summary>How often metrics are pushed.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan ExportInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Share of streams traced (0–1) when the client sent no sampling decision (a client's <c>traceparent</c> that says
    /// "sampled" is always followed). 1 traces every stream.
    /// </summary>
    [Range(0.0, 1.0)]
    public double TraceSampleRatio { get; set; } = 1.0;

    /// <summary>
    /// Points an OTLP exporter at <see cref="OtlpEndpoint"/>. Over HTTP each signal has its own path: a base address
    /// (<c>http://collector:4318</c>) gets <paramref name="signalPath"/> (<c>v1/traces</c>, <c>v1/metrics</c>), and one
    /// that names a signal's path is turned to this signal's.
    /// </summary>
    public void Configure(OtlpExporterOptions exporter, string signalPath)
    {
        ArgumentNullException.ThrowIfNull(exporter);
        var endpoint = OtlpEndpoint ?? throw new InvalidOperationException($"{SectionName}:OtlpEndpoint is not set.");
        exporter.Protocol = OtlpProtocol;
        if (OtlpProtocol == OtlpExportProtocol.HttpProtobuf)
        {
            var path = endpoint.AbsolutePath.TrimEnd('/');
            var basePath = path.EndsWith("/v1/traces", StringComparison.Ordinal) || path.EndsWith("/v1/metrics", StringComparison.Ordinal)
                ? path[..path.LastIndexOf("/v1/", StringComparison.Ordinal)]
                : path;
            endpoint = new UriBuilder(endpoint) { Path = $"{basePath}/{signalPath}" }.Uri;
        }

        exporter.Endpoint = endpoint;
    }
}
