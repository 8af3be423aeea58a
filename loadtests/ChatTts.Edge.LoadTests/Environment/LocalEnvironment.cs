using System.Globalization;
using System.Net.Sockets;
using ChatTts.Emulator;

namespace ChatTts.Edge.LoadTests.Environment;

/// <summary>
/// The system under test on this machine: emulated GPUs in this process (Kestrel on 127.0.0.1, free ports) and the
/// real proxy as its own process, configured with those GPUs as the destinations of cluster <c>chattts</c>.
/// Disposing stops all of it, the proxy first.
/// </summary>
internal sealed class LocalEnvironment : IAsyncDisposable
{
    private static readonly TimeSpan ProxyStartTimeout = TimeSpan.FromSeconds(60);
    private readonly List<Backend> _backends = [];
    private ProxyProcess? _proxy;

    private LocalEnvironment()
    {
    }

    public IReadOnlyList<Backend> Backends => _backends;

    /// <summary>The proxy's first plain-HTTP address.</summary>
    public Uri ProxyAddress => Proxy.Address;

    /// <summary>Every address the proxy listens on (one per Kestrel endpoint).</summary>
    public IReadOnlyList<Uri> ProxyAddresses => Proxy.Addresses;

    /// <summary>The proxy's process id, for its CPU time and memory.</summary>
    public int ProxyProcessId => Proxy.ProcessId;

    /// <summary>Whether the proxy process ended by itself (it should run until disposed).</summary>
    public bool ProxyExited => Proxy.HasExited;

    private ProxyProcess Proxy => _proxy ?? throw new InvalidOperationException("The environment is not started.");

    /// <exception cref="EnvironmentException">A part did not start; what was started is stopped again.</exception>
    public static async Task<LocalEnvironment> StartAsync(EnvironmentSettings settings, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var folder = ProxyBuildOutput.Folder();
        var environment = new LocalEnvironment();
        try
        {
            for (var i = 0; i < settings.Backends; i++)
            {
                var emulator = await StartEmulatorAsync(settings, time, cancellationToken);
                environment._backends.Add(new Backend(string.Create(CultureInfo.InvariantCulture, $"gpu{i}"), emulator));
            }

            environment._proxy = await ProxyProcess.StartAsync(
                folder, environment.ProxyVariables(settings), settings.ProxyEndpoints, time, ProxyStartTimeout, cancellationToken, settings.ProxyCpus);
            return environment;
        }
        catch
        {
            await environment.DisposeAsync();
            throw;
        }
    }

    /// <summary>The proxy's latest output lines, for a run that failed.</summary>
    public async Task WriteProxyOutputAsync(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (_proxy is not null)
        {
            await writer.WriteAsync(_proxy.RecentOutput());
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_proxy is not null)
        {
            await _proxy.DisposeAsync();
        }

        foreach (var backend in _backends)
        {
            await backend.Emulator.DisposeAsync();
        }
    }

    private static async Task<EmulatorInstance> StartEmulatorAsync(EnvironmentSettings settings, TimeProvider time, CancellationToken cancellationToken)
    {
        try
        {
            return await EmulatorInstance.StartAsync(new EmulatorOptions
            {
                Dialect = settings.Dialect,
                Engine = settings.Engine,
                RealTimeFactor = settings.RealTimeFactor,
                FirstChunkDelay = settings.FirstChunkDelay,
                Concurrency = settings.EmulatorConcurrency,
                TimeProvider = time,
            }, cancellationToken);
        }
        catch (Exception e) when (e is IOException or SocketException or ArgumentException or InvalidOperationException)
        {
            throw new EnvironmentException($"An emulated GPU did not start: {e.Message}", innerException: e);
        }
    }

    /// <summary>Each GPU as a destination <c>gpuN</c> of cluster <c>chattts</c>, plus the scenario's own keys.</summary>
    private Dictionary<string, string> ProxyVariables(EnvironmentSettings settings)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal) { ["ASPNETCORE_ENVIRONMENT"] = "Production" };
        foreach (var backend in _backends)
        {
            var prefix = $"ReverseProxy__Clusters__chattts__Destinations__{backend.DestinationId}__";
            variables[prefix + "Address"] = backend.Emulator.BaseAddress.AbsoluteUri;
            variables[prefix + "Metadata__Dialect"] = settings.Dialect;
            if (settings.MaxConcurrency is { } cap)
            {
                variables[prefix + "Metadata__MaxConcurrency"] = cap.ToString(CultureInfo.InvariantCulture);
            }
        }

        foreach (var (key, value) in settings.ProxyConfiguration)
        {
            variables[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        return variables;
    }
}
