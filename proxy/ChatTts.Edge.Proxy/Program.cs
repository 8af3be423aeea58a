var builder = WebApplication.CreateBuilder(args);

builder.Services
    .AddEdgeBackends(builder.Configuration)
    .AddEdgeStreaming(builder.Configuration)
    .AddEdgeCors(builder.Configuration);

var app = builder.Build();

app.UseCors();
app.UseDefaultFiles();
app.UseStaticFiles();
app.MapEdgeBackends();
app.MapTtsStreaming();

app.Run();

/// <summary>The edge's entry point, visible to <c>WebApplicationFactory</c> in tests.</summary>
public partial class Program;
