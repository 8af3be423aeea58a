using System.Net;
using ChatTts.Emulator;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ChatTts.Edge.Tests.Infrastructure;

/// <summary>The real proxy (<c>Program</c>) on real Kestrel at 127.0.0.1 on a free port, configured in memory.</summary>
internal sealed class EdgeApp : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;
    private readonly TimeProvider? _time;
    private readonly string? _jsonFile;
    private readonly LogCapture? _logs;

    private EdgeApp(Dictionary<string, string?> settings, TimeProvider? time, string? jsonFile, LogCapture? logs)
    {
        _settings = settings;
        _time = time;
        _jsonFile = jsonFile;
        _logs = logs;
    }

    public Uri Address { get; private set; } = null!;

    /// <summary>
    /// Starts the proxy with <paramref name="backends"/> as the <c>chattts</c> cluster's destinations ("gpu0", "gpu1", …).
    /// <paramref name="jsonFile"/>, if given, is read last and reloaded whenever it changes, as a deployment's file is.
    /// <paramref name="logs"/>, if given, receives its log entries from Information up.
    /// </summary>
    public static EdgeApp Start(IEnumerable<EmulatorInstance> backends, IDictionary<string, string?>? settings = null, TimeProvider? time = null, string? jsonFile = null, LogCapture? logs = null)
    {
        var all = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var index = 0;
        foreach (var backend in backends)
        {
            var prefix = $"ReverseProxy:Clusters:chattts:Destinations:gpu{index++}";
            all[$"{prefix}:Address"] = backend.BaseAddress.AbsoluteUri;
            all[$"{prefix}:Metadata:Dialect"] = backend.Dialect;
        }

        // Tests call without keys unless they test quotas: anonymous callers, with limits no test reaches.
        foreach (var (key, value) in QuotaSettings.UnlimitedAnonymous())
        {
            all[key] = value;
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        var app = new EdgeApp(all, time, jsonFile, logs);
        app.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        app.StartServer();
        var addresses = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>();
        app.Address = new Uri(addresses.Addresses.Single());
        return app;
    }

    public static EdgeApp Start(EmulatorInstance backend, IDictionary<string, string?>? settings = null, TimeProvider? time = null) =>
        Start([backend], settings, time);

    /// <summary>
    /// A client that crosses a real socket (no test server shortcuts). Disposing an unfinished response closes its
    /// connection at once, as a closed browser tab does, instead of draining it for reuse. It sends the trace headers
    /// a test gives it and no others, as a client in another process would: the edge's tracing, listening in this
    /// process, must not make the test's own calls part of a trace.
    /// </summary>
    public HttpClient CreateRealClient() =>
        new(new SocketsHttpHandler { MaxResponseDrainSize = 0, ActivityHeadersPropagator = null }) { BaseAddress = Address };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        // As settings of the host, so Program sees them while it registers services (as a deployment's would be).
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        if (_jsonFile is not null)
        {
            builder.ConfigureAppConfiguration(config => config.AddJsonFile(_jsonFile, optional: false, reloadOnChange: true));
        }
        builder.ConfigureLogging(logging =>
        {
            logging.SetMinimumLevel(_logs is null ? LogLevel.Warning : LogLevel.Information);
            if (_logs is not null)
            {
                logging.AddProvider(_logs);
            }
        });
        if (_time is not null)
        {
            builder.ConfigureServices(services => services.AddSingleton(_time));
        }
    }
}
