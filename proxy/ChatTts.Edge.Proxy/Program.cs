using ChatTts.Edge.Hosting;

// A bad configuration stops the start with every mistake listed, exit code 1 and no stack trace.
AppDomain.CurrentDomain.UnhandledException += EdgeConfigurationException.ReportAndExit;

var builder = WebApplication.CreateBuilder(args);

// The features in the order a request meets them (see docs/architecture.md).
builder.Services
    .AddEdgeApi(builder.Configuration)
    .AddEdgeOpenAi(builder.Configuration)
    .AddEdgeOpenApi()
    .AddEdgeCors(builder.Configuration)
    .AddEdgeClientCertificates(builder.Configuration)
    .AddEdgeCallers(builder.Configuration)
    .AddEdgeQuotas(builder.Configuration)
    .AddEdgeResume(builder.Configuration)
    .AddEdgeSynthesis()
    .AddEdgeReplay(builder.Configuration)
    .AddEdgeAdmission(builder.Configuration)
    .AddEdgeResilience(builder.Configuration)
    .AddEdgeStreaming(builder.Configuration)
    .AddEdgeBackends(builder.Configuration)
    .AddEdgeSegmentation(builder.Configuration)
    .AddEdgeRedis(builder.Configuration)
    .AddEdgeObservability(builder.Configuration)
    .AddEdgeShutdown(builder.Configuration);

var app = builder.Build();

// Every option of every Edge section, then the backends YARP loads: all mistakes at once, or no start.
app.CheckEdgeConfiguration(() => app.MapEdgeBackends());

app.UseEdgeForwardedHeaders();
app.UseEdgeProblemResponses();
app.UseCors();
app.UseDefaultFiles();
app.UseStaticFiles();
app.MapTtsStreaming();
app.MapOpenAi();
app.MapQuotaEndpoints();
app.MapBackendStatus();
app.MapHealthEndpoints();
app.MapMetrics();
app.MapEdgeOpenApi();

app.Run();

/// <summary>The edge's entry point, visible to <c>WebApplicationFactory</c> in tests.</summary>
public partial class Program;
