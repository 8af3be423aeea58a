using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;

namespace ChatTts.Edge.Observability;

/// <summary>Section <c>Edge:Telemetry</c>: pushing the <c>ChatTts.Edge</c> meter to an OpenTelemetry collector.</summary>
internal sealed class TelemetryOptions
{
    public const string SectionName = "Edge:Telemetry";

    /// <summary>The OTLP endpoint, e.g. <c>http://otel-collector:4317</c> (gRPC) or <c>http://…:4318/v1/metrics</c> (HTTP); off when empty.</summary>
    public Uri? OtlpEndpoint { get; set; }

    /// <summary><c>Grpc</c> (default) or <c>HttpProtobuf</c>.</summary>
    public OtlpExportProtocol OtlpProtocol { get; set; } = OtlpExportProtocol.Grpc;

    /// <summary>How often metrics are pushed.</summary>
    public TimeSpan ExportInterval { get; set; } = TimeSpan.FromSeconds(15);
}

/// <summary>Exports the meter over OTLP while the proxy runs, when <c>Edge:Telemetry:OtlpEndpoint</c> is set.</summary>
internal sealed class OtlpMetricsExport(IOptions<TelemetryOptions> options) : IHostedService, IDisposable
{
    private MeterProvider? _provider;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var telemetry = options.Value;
        if (telemetry.OtlpEndpoint is { } endpoint)
        {
            _provider = Sdk.CreateMeterProviderBuilder()
                .AddMeter(EdgeMetrics.MeterName)
                .AddOtlpExporter((exporter, reader) =>
                {
                    exporter.Endpoint = endpoint;
                    exporter.Protocol = telemetry.OtlpProtocol;
                    reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)telemetry.ExportInterval.TotalMilliseconds;
                })
                .Build();
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _provider?.ForceFlush(5000);
        return Task.CompletedTask;
    }

    public void Dispose() => _provider?.Dispose();
}
