using System.Globalization;
using ChatTts.Edge.LoadTests.Environment;

namespace ChatTts.Edge.LoadTests.Scenarios.Burst;

/// <summary>
/// Every proxy replica of a run: the local environment's own proxy, and more proxy processes configured the same way
/// in front of the same emulated GPUs (as a deployment scales the edge horizontally, its state in one Redis).
/// Disposing stops the extra replicas; the environment stops its own.
/// </summary>
internal sealed class ProxyReplicas : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly LocalEnvironment _environment;
    private readonly List<ProxyProcess> _extra = [];

    private ProxyReplicas(LocalEnvironment environment) => _environment = environment;

    /// <summary>Every replica's plain-HTTP address, the environment's first.</summary>
    public IReadOnlyList<Uri> Addresses => [_environment.ProxyAddress, .. _extra.Select(p => p.Address)];

    /// <summary>Replicas whose process ended by itself during the run.</summary>
    public int Exited => (_environment.ProxyExited ? 1 : 0) + _extra.Count(p => p.HasExited);

    /// <summary>Starts <paramref name="replicas"/> − 1 more proxies like the environment's, one after the other.</summary>
    /// <exception cref="EnvironmentException">One did not start; those started are stopped again.</exception>
    public static async Task<ProxyReplicas> StartAsync(
        LocalEnvironment environment, EnvironmentSettings settings, int replicas, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(settings);
        var all = new ProxyReplicas(environment);
        try
        {
            var folder = ProxyBuildOutput.Folder();
            var variables = Variables(environment, settings);
            for (var i = 1; i < replicas; i++)
            {
                all._extra.Add(await ProxyProcess.StartAsync(folder, variables, settings.ProxyEndpoints, time, StartTimeout, cancellationToken));
            }

            return all;
        }
        catch
        {
            await all.DisposeAsync();
            throw;
        }
    }

    /// <summary>The latest output lines of every replica, for a run that failed.</summary>
    public async Task WriteOutputAsync(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        await _environment.WriteProxyOutputAsync(writer);
        foreach (var replica in _extra)
        {
            await writer.WriteAsync(replica.RecentOutput());
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var replica in _extra)
        {
            await replica.DisposeAsync();
        }
    }

    /// <summary>What <see cref="LocalEnvironment"/> gives its proxy: each GPU as destination <c>gpuN</c> of cluster
    /// <c>chattts</c>, and the scenario's configuration keys as environment variables.</summary>
    private static Dictionary<string, string> Variables(LocalEnvironment environment, EnvironmentSettings settings)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal) { ["ASPNETCORE_ENVIRONMENT"] = "Production" };
        foreach (var backend in environment.Backends)
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
