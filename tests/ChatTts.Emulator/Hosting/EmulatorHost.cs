using System.Net;
using ChatTts.Emulator.Dialects;
using ChatTts.Emulator.Faults;
using ChatTts.Emulator.Recording;
using ChatTts.Emulator.Speech;
using ChatTts.Emulator.Streaming;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ChatTts.Emulator.Hosting;

/// <summary>Builds the web application of one instance: Kestrel on one address, one dialect's endpoints.
/// It starts from an empty builder, so no appsettings, environment variable or <c>Kestrel</c> section of
/// the hosting process can change what it binds.</summary>
internal static class EmulatorHost
{
    public static WebApplication Build(EmulatorOptions options, Dialect dialect, ServerBehaviour behaviour, EmulatorFaults faults)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(EmulatorHost).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(ParseAddress(options.Host), options.Port, listen => ConfigureListener(listen, options, faults));
        });
        options.ConfigureLogging?.Invoke(builder.Logging);
        builder.Services.AddRoutingCore();
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(5));
        builder.Services.AddSingleton<IHostLifetime, QuietLifetime>();
        builder.Services.AddSingleton(options).AddSingleton(faults).AddSingleton(dialect).AddSingleton(behaviour);
        builder.Services.AddSingleton(new EmulatorStats(options.TimeProvider));
        builder.Services.AddSingleton<EmulatedGpu>();
        builder.Services.AddSingleton(services =>
            new SpeechSynthesizer(options.Engine, options.TimeProvider, services.GetRequiredService<ILogger<SpeechSynthesizer>>()));
        builder.Services.AddSingleton<AudioResponder>();
        builder.Services.AddSingleton<SynthesisEndpoint>();

        var app = builder.Build();
        app.Use(RefuseConnections.Requests(faults));
        app.MapGet(dialect.HealthPath, HealthCheck(dialect, behaviour, faults, app.Services.GetRequiredService<EmulatedGpu>(), app.Lifetime));
        app.MapMethods(dialect.SynthesisPath, dialect.SynthesisMethods, app.Services.GetRequiredService<SynthesisEndpoint>().HandleAsync);
        return app;
    }

    // The health answer, given once the GPU is free when the server's health blocks during synthesis (the faults are
    // read then: the answer tells the state at the time it is given).
    private static RequestDelegate HealthCheck(Dialect dialect, ServerBehaviour behaviour, EmulatorFaults faults, EmulatedGpu gpu, IHostApplicationLifetime lifetime) =>
        async context =>
        {
            if (behaviour.HealthBlocksDuringSynthesis)
            {
                using var waiting = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
                try
                {
                    await gpu.WaitUntilFreeAsync(waiting.Token);
                }
                catch (OperationCanceledException)
                {
                    return; // the prober gave up, or the emulator stops
                }
            }

            await (FaultGate.HealthRejection(dialect, faults, context.Response) ?? dialect.Healthy()).ExecuteAsync(context);
        };

    /// <summary>The address to bind: an IP literal, <c>localhost</c>, or <c>*</c> for every interface.</summary>
    public static IPAddress ParseAddress(string host) => host switch
    {
        "localhost" => IPAddress.Loopback,
        "*" => IPAddress.Any,
        _ => IPAddress.Parse(host),
    };

    // The one place a listener is configured: HTTP, or HTTPS with an optional client-certificate requirement.
    private static void ConfigureListener(ListenOptions listen, EmulatorOptions options, EmulatorFaults faults)
    {
        listen.Protocols = HttpProtocols.Http1;
        listen.Use(RefuseConnections.Connections(faults));
        if (options.ServerCertificate is { } certificate)
        {
            listen.UseHttps(https =>
            {
                https.ServerCertificate = certificate;
                if (options.ClientCertificateAuthority is { } authority)
                {
                    https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
                    https.ClientCertificateValidation = (client, _, _) => IssuedBy(client, authority);
                }
            });
        }
    }

    private static bool IssuedBy(X509Certificate2 client, X509Certificate2 authority)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(client);
    }

    /// <summary>Leaves Ctrl+C and SIGTERM to the process that hosts the instances (a test run or the command line).</summary>
    private sealed class QuietLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
