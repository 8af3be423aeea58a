using ChatTts.Edge.Observability;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging.Console;
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

        // One id per request, taken from the client's X-Request-Id when valid, before anything logs (see RequestIds).
        services.Replace(ServiceDescriptor.Singleton<IHttpContextFactory>(provider => new RequestIdHttpContextFactory(new DefaultHttpContextFactory(provider))));

        // JSON console lines (Logging:Console:FormatterName=json) carry a UTC timestamp and the scopes: the request id,
        // the trace and span ids.
        services.Configure<JsonConsoleFormatterOptions>(json =>
        {
            json.UseUtcTimestamp = true;
            json.TimestampFormat ??= "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
            json.IncludeScopes = true;
        });

        // Exporters are chosen once, when the services are made; mistakes in the section are the start-up check's to report.
        // Spans are made only when they go somewhere: without an OTLP endpoint the edge's spans cost nothing (the
        // client's traceparent still reaches the GPUs, carried by ASP.NET Core's and HttpClient's own activities).
        var otlp = Otlp(configuration);
        var openTelemetry = services.AddOpenTelemetry().ConfigureResource(resource => resource.AddService("chattts-edge"));
        if (otlp is { } traces)
        {
            openTelemetry.WithTracing(tracing => tracing
                .AddSource(EdgeTracing.SourceName)
                .AddAspNetCoreInstrumentation(aspnet => aspnet.Filter = context => !IsOperatorPath(context.Request.Path))
                .AddHttpClientInstrumentation()
                .SetSampler(provider => EdgeTracing.Sampler(provider.GetRequiredService<IOptions<TelemetryOptions>>().Value.TraceSampleRatio))
                .AddOtlpExporter(exporter =>
                {
                    traces.Configure(exporter, "v1/traces");
                    exporter.BatchExportProcessorOptions.ScheduledDelayMilliseconds = (int)traces.ExportInterval.TotalMilliseconds;
                }));
        }

        openTelemetry.WithMetrics(metrics =>
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
