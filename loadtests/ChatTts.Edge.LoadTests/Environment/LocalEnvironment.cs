using System.Globalization;
using System.Net.Sockets;
using ChatTts.Edge.TestKit;
using ChatTts.Emulator;

namespace ChatTts.Edge.LoadTests.Environment;

/// <summary>
/// The system under test on this machine: emulated GPUs in this process (Kestrel on 127.0.0.1, free ports) and the
/// real proxy as its own process (or several replicas alike), configured with those GPUs as the destinations of
/// cluster <c>chattts</c>. Disposing stops all of it, the proxies first.
/// </summary>
internal sealed class LocalEnvironment : IAsyncDisposable
{
    /// <summary>A proxy's latest output lines, kept for a failed run.</summary>
    private const int KeptProxyLines = 200;
    private static readonly TimeSpan ProxyStartTimeout = TimeSpan.FromSeconds(60);
    private readonly List<Backend> _backends = [];
    private readonly List<ProxyProcess> _proxies = [];

    private LocalEnvironment()
    {
    }

    public IReadOnlyList<Backend> Backends => _backends;

    /// <summary>The proxy's first plain-HTTP address.</summary>
    public Uri ProxyAddress => Proxy.Address;

    /// <summary>Every address the proxy listens on (one per Kestrel endpoint).</summary>
    public IReadOnlyList<Uri> ProxyAddresses => Proxy.Addresses;

    /// <summary>The proxy's process id, for its CPU time and memory.</summary>
    public int ProxyProcessId => Proxy.Id;

    /// <summary>Whether the (first) proxy process ended by itself (it should run until disposed).</summary>
    public bool ProxyExited => Proxy.HasExited;

    /// <summary>Every replica's plain-HTTP address, the first proxy's first.</summary>
    public IReadOnlyList<Uri> ReplicaAddresses => [.. _proxies.Select(p => p.Address)];

    /// <summary>Replicas whose process ended by itself.</summary>
    public int ReplicasExited => _proxies.Count(p => p.HasExited);

    private ProxyProcess Proxy => _proxies.Count > 0 ? _proxies[0] : throw new InvalidOperationException("The environment is not started.");

    /// <exception cref="EnvironmentException">A part did not start; what was started is stopped again.</exception>
    public static async Task<LocalEnvironment> StartAsync(EnvironmentSettings settings, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _ = ProxyBuildOutput.Folder(); // before anything starts: is the proxy built?
        var environment = new LocalEnvironment();
        try
        {
            for (var i = 0; i < settings.Backends; i++)
            {
                var emulator = await StartEmulatorAsync(settings, time, cancellationToken);
                environment._backends.Add(new Backend(string.Create(CultureInfo.InvariantCulture, $"gpu{i}"), emulator));
            }

            var variables = environment.ProxyVariables(settings);
            var options = new ProxyProcessOptions { Time = time, StartTimeout = ProxyStartTimeout, KeptLines = KeptProxyLines, Cpus = settings.ProxyCpus };
            for (var i = 0; i < settings.Replicas; i++)
            {
                environment._proxies.Add(await ProxyProcess.StartAsync(variables, cancellationToken, options));
            }

            return environment;
        }
        catch
        {
            await environment.DisposeAsync();
            throw;
        }
    }

    /// <summary>Every proxy's latest output lines, for a run that failed.</summary>
    public async Task WriteProxyOutputAsync(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        foreach (var proxy in _proxies)
        {
            await writer.WriteAsync(proxy.RecentOutput());
        }
    }

    /// <summary>Every proxy's latest output lines, as one text.</summary>
    public async Task<string> ProxyOutputAsync()
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        await WriteProxyOutputAsync(writer);
        return writer.ToString();
    }

    /// <summary>Runs a scenario on this environment and, when it misses a threshold or fails (other than by being
    /// cancelled), writes every proxy's latest output to <paramref name="error"/>: what a failed run needs to be read.</summary>
    public async Task<Scenarios.ScenarioResult> RunAsync(
        Func<Task<Scenarios.ScenarioResult>> scenario, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(error);
        try
        {
            var result = await scenario();
            if (!result.Passed)
            {
                await WriteProxyOutputAsync(error);
            }

            return result;
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            await WriteProxyOutputAsync(error);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var proxy in _proxies)
        {
            await proxy.DisposeAsync();
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
