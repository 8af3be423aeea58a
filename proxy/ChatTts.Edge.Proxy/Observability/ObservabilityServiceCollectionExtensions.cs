using ChatTts.Edge.Observability;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.DependencyInjection;

internal static class ObservabilityServiceCollectionExtensions
{
    /// <summary>Latency buckets of the edge's histograms, in seconds (OpenTelemetry's defaults suit milliseconds).</summary>
    private static readonly double[] SecondsBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    /// <summary>
    /// Registers the edge's meter and per-backend statistics, and one OpenTelemetry pipeline (section
    /// <c>Edge:Telemetry</c>): traces of the edge's spans, ASP.NET Core and HttpClient (W3C <c>traceparent</c> in from the
    /// client and out to the GPUs); metrics of the edge's meter, ASP.NET Core, HttpClient and the runtime, read by the
    /// Prometheus exporter behind <c>GET /metrics</c> and, like the traces, pushed over OTLP when an endpoint is set.
    /// </summary>
    public static IServiceCollection AddEdgeObservability(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton<BackendStatistics>();
        services.AddMetrics();
        services.TryAddSingleton<EdgeMetrics>();
        services.AddEdgeOptions<TelemetryOptions>(configuration, TelemetryOptions.SectionName);

        // Exporters are chosen once, when the services are made; mistakes in the section are the start-up check's to report.
        var otlp = Otlp(configuration);
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("chattts-edge"))
            .WithTracing(tracing =>
            {
                tracing.AddSource(EdgeTracing.SourceName)
                    .AddAspNetCoreInstrumentation(aspnet => aspnet.Filter = context => !IsOperatorPath(context.Request.Path))
                    .AddHttpClientInstrumentation()
                    .ConfigureServices(s => s.AddSingleton<Sampler>(provider =>
                        new ParentBasedSampler(new TraceIdRatioBasedSampler(provider.GetRequiredService<IOptions<TelemetryOptions>>().Value.TraceSampleRatio))));
                tracing.SetSampler(provider => provider.GetRequiredService<Sampler>());
                if (otlp is { } telemetry)
                {
                    tracing.AddOtlpExporter(exporter => telemetry.Configure(exporter, "v1/traces"));
                }
            })
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(EdgeMetrics.MeterName)
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddView(instrument => instrument.Meter.Name == EdgeMetrics.MeterName && instrument.Unit == "s"
                        ? new ExplicitBucketHistogramConfiguration { Boundaries = SecondsBuckets }
                        : null)

                    // Three runtime gauges end in ".count", which Prometheus reserves for histograms and summaries
                    // (promtool's lint refuses them): they are exported under names that say the same without it.
                    .AddView("dotnet.assembly.count", "dotnet.assemblies.loaded")
                    .AddView("dotnet.process.cpu.count", "dotnet.process.cpus")
                    .AddView("dotnet.timer.count", "dotnet.timers")
                    .AddPrometheusExporter();
                if (otlp is { } telemetry)
                {
                    metrics.AddOtlpExporter((exporter, reader) =>
                    {
                        telemetry.Configure(exporter, "v1/metrics");
                        reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)telemetry.ExportInterval.TotalMilliseconds;
                    });
                }
            });

        // Every scrape reads the meters afresh (the exporter would otherwise answer from a cache for 300 ms).
        services.Configure<PrometheusAspNetCoreOptions>(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0);
        return services;
    }

    /// <summary>The telemetry settings when an OTLP endpoint is set and the section binds; null otherwise.</summary>
    private static TelemetryOptions? Otlp(IConfiguration configuration)
    {
        try
        {
            return configuration.GetSection(TelemetryOptions.SectionName).Get<TelemetryOptions>() is { OtlpEndpoint: not null } telemetry ? telemetry : null;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>Probes and scrapes, which would only drown the streams' traces.</summary>
    private static bool IsOperatorPath(PathString path) =>
        path.StartsWithSegments("/metrics") || path.StartsWithSegments("/healthz") || path.StartsWithSegments("/readyz");
}
