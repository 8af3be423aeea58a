using ChatTts.Edge.Hosting;

// A bad configuration stops the start with every mistake listed, exit code 1 and no stack trace.
AppDomain.CurrentDomain.UnhandledException += EdgeConfigurationException.ReportAndExit;

var builder = WebApplication.CreateBuilder(args);

builder.Services
    .AddEdgeBackends(builder.Configuration)
    .AddEdgeClientCertificates(builder.Configuration)
    .AddEdgeQuotas(builder.Configuration)
    .AddEdgeAdmission(builder.Configuration)
    .AddEdgeResilience(builder.Configuration)
    .AddEdgeStreaming(builder.Configuration)
    .AddEdgeObservability(builder.Configuration)
    .AddEdgeCors(builder.Configuration);

var app = builder.Build();

// Every option of every Edge section, then the backends YARP loads: all mistakes at once, or no start.
app.CheckEdgeConfiguration(() => app.MapEdgeBackends());

app.UseEdgeProblemResponses();
app.UseCors();
app.UseDefaultFiles();
app.UseStaticFiles();
app.MapTtsStreaming();
app.MapQuotaEndpoints();
app.MapBackendStatus();
app.MapHealthEndpoints();
app.MapMetrics();

app.Run();

/// <summary>The edge's entry point, visible to <c>WebApplicationFactory</c> in tests.</summary>
public partial class Program;
