using ChatTts.Edge.Tests.Infrastructure;
using ChatTts.Emulator;

namespace ChatTts.Edge.Tests.Operations;

/// <summary>
/// deploy/kubernetes rendered once for every Kubernetes test: the base and the dev overlay through <c>kubectl
/// kustomize</c>, and the custom-metric autoscaler that no kustomization lists, all validated against the Kubernetes
/// schemas; plus the configuration keys a running proxy reads.
/// </summary>
public sealed class KubernetesFixture : IAsyncLifetime
{
    public const string BaseFolder = "deploy/kubernetes";
    public const string DevFolder = "deploy/kubernetes/overlays/dev";
    public const string CustomMetricsFile = "deploy/kubernetes/base/hpa-custom-metrics.yaml";

    private string? _failure;
    private Validation? _validation;
    private ProxyConfigurationKeys? _keys;

    /// <summary>What the schema validator said about the base, the dev overlay and the custom-metric autoscaler together.</summary>
    internal Validation Validation => Ready(_validation);

    internal IReadOnlyList<RenderedObject> Base => Of(BaseFile);

    internal IReadOnlyList<RenderedObject> Dev => Of(DevFile);

    internal IReadOnlyList<RenderedObject> CustomMetrics => Of(CustomMetricsPath);

    /// <summary>The configuration keys the proxy reads.</summary>
    internal ProxyConfigurationKeys Keys => Ready(_keys);

    private string BaseFile { get; set; } = "";

    private string DevFile { get; set; } = "";

    private static string CustomMetricsPath => Path.Combine(Repository.Root, CustomMetricsFile);

    public async Task InitializeAsync()
    {
        try
        {
            BaseFile = KubernetesManifests.WriteTemporary("k8s-base", await KubernetesManifests.RenderAsync(BaseFolder));
            DevFile = KubernetesManifests.WriteTemporary("k8s-dev", await KubernetesManifests.RenderAsync(DevFolder));
            _validation = await KubernetesManifests.ValidateAsync(BaseFile, DevFile, CustomMetricsPath);

            // The options sections are registered while the proxy starts; an in-process proxy with no backends is enough.
            using var proxy = EdgeApp.Start(Array.Empty<EmulatorInstance>());
            _keys = ProxyConfigurationKeys.Of(proxy.Services);
        }
        catch (Exception ex)
        {
            _failure = ex.Message;
        }
    }

    public Task DisposeAsync()
    {
        foreach (var file in new[] { BaseFile, DevFile }.Where(f => f.Length > 0))
        {
            File.Delete(file);
        }

        return Task.CompletedTask;
    }

    private IReadOnlyList<RenderedObject> Of(string file) => [.. Validation.Objects.Where(o => o.File == file)];

    private T Ready<T>(T? value)
        where T : class =>
        value ?? throw new InvalidOperationException($"The Kubernetes manifests could not be rendered and checked: {_failure}");
}
