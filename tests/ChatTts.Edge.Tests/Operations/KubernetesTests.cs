using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using ChatTts.Edge.Hosting;
using Microsoft.Extensions.Configuration;
using Xunit.Abstractions;

namespace ChatTts.Edge.Tests.Operations;

/// <summary>
/// deploy/kubernetes: the base and the dev overlay render offline, every object matches the Kubernetes API's schemas,
/// and the pieces agree with each other and with the proxy (ports, probe routes, configuration keys, secrets, labels,
/// the shutdown drain). No cluster is needed, and none runs here.
/// </summary>
public sealed partial class KubernetesTests(KubernetesFixture manifests) : IClassFixture<KubernetesFixture>
{
    private const string Edge = "chattts-edge";
    private const string SecretName = "chattts-edge-secrets";
    private const int HttpPort = 8080;

    private static readonly string[] ProbeKinds = ["liveness", "readiness", "startup"];

    [Fact]
    public void Kustomize_BaseAndDevOverlay_RenderOfflineAndEveryObjectMatchesTheKubernetesSchemas()
    {
        Assert.True(manifests.Validation.Valid, "Not valid Kubernetes objects:\n" + string.Join('\n', manifests.Validation.Errors));

        string[] baseKinds = ["ConfigMap/chattts-edge-config", "Deployment/chattts-edge", "HorizontalPodAutoscaler/chattts-edge", "PodDisruptionBudget/chattts-edge", "Service/chattts-edge"];
        Assert.Equal(baseKinds, manifests.Base.Select(Generic).Order(StringComparer.Ordinal));

        // The dev overlay adds a namespace, the Secret and a Redis, and puts everything in the namespace.
        string[] devKinds = [.. baseKinds, "Deployment/redis", "Namespace/chattts-dev", $"Secret/{SecretName}", "Service/redis"];
        Assert.Equal(devKinds.Order(StringComparer.Ordinal), manifests.Dev.Select(Generic).Order(StringComparer.Ordinal));
        Assert.All(manifests.Dev.Where(o => o.Kind != "Namespace"), o => Assert.Equal("chattts-dev", o.Namespace));
        Assert.StartsWith("redis:7", Container(Single(manifests.Dev, "Deployment", "redis")).GetProperty("image").GetString(), StringComparison.Ordinal);

        // The custom-metric variant is valid too, and replaces the CPU autoscaler under the same name.
        Assert.Equal(["HorizontalPodAutoscaler/chattts-edge"], manifests.CustomMetrics.Select(Generic));
    }

    [Fact]
    public async Task SchemaValidator_MisspelledFieldOrStringForANumber_IsRejectedNamingTheField()
    {
        // The rendered base, broken twice: `replica:` for `replicas:` (the API server would drop it, silently running
        // one replica), and a port as a string.
        var yaml = await KubernetesManifests.RenderAsync(KubernetesFixture.BaseFolder);
        Assert.Contains("\n  replicas: 2\n", yaml, StringComparison.Ordinal);
        Assert.Contains("containerPort: 8080", yaml, StringComparison.Ordinal);
        var misspelled = KubernetesManifests.WriteTemporary("k8s-misspelled", yaml.Replace("\n  replicas: 2\n", "\n  replica: 2\n", StringComparison.Ordinal));
        var mistyped = KubernetesManifests.WriteTemporary("k8s-mistyped", yaml.Replace("containerPort: 8080", "containerPort: \"8080\"", StringComparison.Ordinal));
        try
        {
            var validation = await KubernetesManifests.ValidateAsync(misspelled, mistyped);

            Assert.False(validation.Valid);
            var errors = string.Join('\n', validation.Errors);
            Assert.Contains(validation.Errors, e => e.StartsWith(Path.GetFileName(misspelled) + " Deployment/chattts-edge", StringComparison.Ordinal) && e.Contains("'\"replica\"' does not exist", StringComparison.Ordinal));
            Assert.Contains(validation.Errors, e => e.StartsWith(Path.GetFileName(mistyped) + " Deployment/chattts-edge", StringComparison.Ordinal) && e.Contains("containerPort must be integer", StringComparison.Ordinal));
            Assert.True(validation.Errors.Count == 3, errors); // nothing else is wrong: the type check of the one, the schema and type checks of the other
        }
        finally
        {
            File.Delete(misspelled);
            File.Delete(mistyped);
        }
    }

    [Fact]
    public void Deployment_PortsAndProbes_AreTheContainersHttpPortAndTheProbeRoutes()
    {
        foreach (var objects in new[] { manifests.Base, manifests.Dev })
        {
            var deployment = Single(objects, "Deployment", Edge);
            var container = Container(deployment);
            Assert.True(deployment.Spec.GetProperty("replicas").GetInt32() >= 2, "A fleet needs at least 2 replicas.");
            Assert.Equal("chattts-edge:local", container.GetProperty("image").GetString()); // compose's placeholder; kustomize `images:` sets the real one
            Assert.Equal("Production", Env(container, "ASPNETCORE_ENVIRONMENT"));
            Assert.Equal($"http://+:{HttpPort}", Env(container, "ASPNETCORE_URLS"));
            var port = Assert.Single(container.GetProperty("ports").EnumerateArray());
            Assert.Equal(HttpPort, port.GetProperty("containerPort").GetInt32());

            var service = Single(objects, "Service", Edge);
            var servicePort = Assert.Single(service.Spec.GetProperty("ports").EnumerateArray());
            Assert.Equal(80, servicePort.GetProperty("port").GetInt32());
            Assert.Equal("http", servicePort.GetProperty("name").GetString());
            Assert.Equal(HttpPort, ResolvePort(container, servicePort.GetProperty("targetPort")));

            var probes = Probes(container);
            Assert.Equal(ProbeKinds, probes.Keys.Order(StringComparer.Ordinal));
            Assert.All(probes.Values, p => Assert.Equal(HttpPort, ResolvePort(container, p.GetProperty("port"))));
            Assert.Equal("/healthz", probes["liveness"].GetProperty("path").GetString());
            // Not /readyz: with the GPUs down it would take every replica out, and no one would answer 503 + Retry-After.
            Assert.Equal("/readyz/pod", probes["readiness"].GetProperty("path").GetString());
        }
    }

    [Fact]
    public async Task Proxy_WithTheDevOverlaysConfigurationAndSecret_StartsAndPassesItsProbesWhileGpusAndRedisAreDown()
    {
        var dev = manifests.Dev;
        var deployment = Single(dev, "Deployment", Edge);
        var container = Container(deployment);

        // The image's layout: the content root holds the image's appsettings*.json and the ConfigMap's file beside them.
        var contentRoot = Directory.CreateTempSubdirectory("chattts-edge-k8s-config-");
        try
        {
            foreach (var file in Directory.GetFiles(ProxyBuildOutput.Folder(), "appsettings*.json"))
            {
                File.Copy(file, Path.Combine(contentRoot.FullName, Path.GetFileName(file)));
            }

            var (fileName, content) = MountedConfiguration(dev, deployment);
            await File.WriteAllTextAsync(Path.Combine(contentRoot.FullName, fileName), content);

            var environment = ContainerEnvironment(dev, container);
            Assert.Equal("Production", environment["ASPNETCORE_ENVIRONMENT"]);
            environment.Remove("ASPNETCORE_URLS"); // the test listens on a loopback port of its own
            environment["ASPNETCORE_CONTENTROOT"] = contentRoot.FullName;
            environment["ASPNETCORE_WEBROOT"] = Path.Combine(ProxyBuildOutput.Folder(), "wwwroot");
            // The GPUs and Redis are unreachable: every destination and the Redis server move to loopback ports where
            // nothing listens (so no name is looked up and nothing outside this machine is called).
            foreach (var id in Destinations(Flatten(content)))
            {
                environment[$"ReverseProxy__Clusters__chattts__Destinations__{id}__Address"] = $"http://127.0.0.1:{Loopback.FreePort()}/";
            }

            environment["Edge__Redis__Configuration"] = OnLoopback(environment["Edge__Redis__Configuration"], Loopback.FreePort());
            // One API key, as an operator adds them (the ConfigMap's Edge:Quotas:Keys, or variables like these).
            var apiKey = QuotaSettings.NewSecret();
            foreach (var (key, value) in QuotaSettings.AsEnvironment(QuotaSettings.Key("k8s-test", apiKey, "standard").ToDictionary(s => s.Key, string? (s) => s.Value)))
            {
                environment[key] = value;
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            await using var proxy = await StartAsync(environment, timeout.Token);
            using var client = new HttpClient { BaseAddress = proxy.Address, Timeout = TimeSpan.FromSeconds(10) };

            foreach (var (name, probe) in Probes(container))
            {
                using var response = await client.GetAsync(probe.GetProperty("path").GetString(), timeout.Token);
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"The {name} probe's {probe.GetProperty("path").GetString()} answered {(int)response.StatusCode}.");
            }

            // The point of /readyz/pod: the replica stays in the Service and answers for itself. The first requests find
            // the GPUs unreachable (502); once the edge knows they are down, it answers 503 with Retry-After at once.
            var statuses = new List<HttpStatusCode>();
            while (statuses.Count < 5 && statuses.LastOrDefault() != HttpStatusCode.ServiceUnavailable)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/tts/stream?text=Hello");
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
                using var refused = await client.SendAsync(request, timeout.Token);
                statuses.Add(refused.StatusCode);
                Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
                Assert.True(refused.StatusCode != HttpStatusCode.ServiceUnavailable || refused.Headers.RetryAfter is not null, "503 without Retry-After");
            }

            Assert.True(statuses[^1] == HttpStatusCode.ServiceUnavailable && statuses.All(s => s is HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable), string.Join(", ", statuses));

            // What Prometheus scrapes, with the admin key as the bearer token (docs: deploy/kubernetes/README.md): every
            // metric the custom-metric autoscaler scales on, and the queue length the README points at.
            using var scrape = new HttpRequestMessage(HttpMethod.Get, "/metrics");
            scrape.Headers.Authorization = new AuthenticationHeaderValue("Bearer", environment["Edge__Admin__ApiKey"]);
            using var metrics = await client.SendAsync(scrape, timeout.Token);
            Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
            var series = (await metrics.Content.ReadAsStringAsync(timeout.Token)).Split('\n').Select(l => l.Split(['{', ' '])[0]).ToHashSet(StringComparer.Ordinal);
            foreach (var metric in PodsMetrics(Single(manifests.CustomMetrics, "HorizontalPodAutoscaler", Edge)).Append("chattts_edge_queue_length"))
            {
                Assert.Contains(metric, series);
            }

            // A duration written as a bare number, or the like: the proxy warns about it.
            var warnings = proxy.Output.Split('\n').Where(l => l.Contains($"\"EventId\":{LogEvents.ConfigurationWarning},", StringComparison.Ordinal)).ToList();
            Assert.True(warnings.Count == 0, "The proxy warns about the configuration:\n" + string.Join('\n', warnings));
        }
        finally
        {
            contentRoot.Delete(recursive: true);
        }
    }

    [Fact]
    public void ConfigMapAndEnvironment_EveryEdgeAndReverseProxyKey_IsASettingOfTheProxy()
    {
        foreach (var objects in new[] { manifests.Base, manifests.Dev })
        {
            var deployment = Single(objects, "Deployment", Edge);
            var (_, content) = MountedConfiguration(objects, deployment);
            var keys = Flatten(content).Keys
                .Concat(Container(deployment).GetProperty("env").EnumerateArray().Select(e => ProxyConfigurationKeys.KeyOfVariable(e.GetProperty("name").GetString()!)).OfType<string>())
                .ToList();
            Assert.Contains("Edge:Shutdown:DrainTimeout", keys);
            Assert.Contains("Edge:Quotas:TokenSigningKey", keys);

            var unknown = keys.Select(k => manifests.Keys.Problem(k)).OfType<string>().ToList();
            Assert.True(unknown.Count == 0, "Keys the proxy does not read:\n" + string.Join('\n', unknown));
        }

        // The values the manifests promise.
        var settings = Flatten(MountedConfiguration(manifests.Base, Single(manifests.Base, "Deployment", Edge)).Content);
        Assert.Equal("Redis", settings["Edge:Quotas:Store"]);
        Assert.Equal("Redis", settings["Edge:Admission:Store"]);
        Assert.Equal("json", settings["Logging:Console:FormatterName"]);
        Assert.Contains(settings, s => s.Key.StartsWith("Edge:ForwardedHeaders:KnownNetworks:", StringComparison.OrdinalIgnoreCase));
        Assert.All(Destinations(settings), id => Assert.Equal("webui", settings[$"ReverseProxy:Clusters:chattts:Destinations:{id}:Metadata:Dialect"]));
    }

    [Fact]
    public void ConfigurationKeys_MisspelledKey_IsReported()
    {
        var keys = manifests.Keys;

        Assert.Null(keys.Problem("Edge:Shutdown:DrainTimeout"));
        Assert.Null(keys.Problem("edge:quotas:tokensigningkey")); // configuration keys ignore case
        Assert.Null(keys.Problem("Edge:Quotas:Plans:standard:RequestsPerMinute"));
        Assert.Null(keys.Problem("Edge:Cors:AllowedOrigins:0"));
        Assert.Null(keys.Problem("ReverseProxy:Clusters:chattts:Destinations:gpu-0:Metadata:Dialect"));
        Assert.Null(keys.Problem("ReverseProxy:Clusters:chattts:HealthCheck:Active:Interval"));

        Assert.Contains("DrainTimout", keys.Problem("Edge:Shutdown:DrainTimout"), StringComparison.Ordinal);
        Assert.NotNull(keys.Problem(ProxyConfigurationKeys.KeyOfVariable("Edge__Quotas__TokenSigningKye")!));
        Assert.NotNull(keys.Problem("Edge:Shutdowns:DrainTimeout"));
        Assert.NotNull(keys.Problem("Edge:Shutdown:DrainTimeout:Seconds"));
        Assert.NotNull(keys.Problem("Egde:Admin:ApiKey"));
        Assert.NotNull(keys.Problem("ReverseProxy:Clusters:chattts:Destinations:gpu-0:Adress"));
        Assert.NotNull(keys.Problem("ReverseProxy:Clusters:chattts:Destinations:gpu-0:Metadata:Dialekt"));
    }

    [Fact]
    public void Deployment_TerminationGracePeriod_OutlastsThePreStopSleepAndTheDrainTimeout()
    {
        var deployment = Single(manifests.Base, "Deployment", Edge);
        var (_, content) = MountedConfiguration(manifests.Base, deployment);
        var settings = Flatten(content);
        Assert.True(settings.ContainsKey("Edge:Shutdown:DrainTimeout"), "Set Edge:Shutdown:DrainTimeout explicitly: the grace period is computed from it.");
        var drain = TimeSpan.Parse(settings["Edge:Shutdown:DrainTimeout"], CultureInfo.InvariantCulture);

        var preStop = Container(deployment).GetProperty("lifecycle").GetProperty("preStop");
        var sleep = preStop.TryGetProperty("sleep", out var action)
            ? TimeSpan.FromSeconds(action.GetProperty("seconds").GetInt64())
            : TimeSpan.FromSeconds(int.Parse(preStop.GetProperty("exec").GetProperty("command").EnumerateArray().Last().GetString()!, CultureInfo.InvariantCulture));
        Assert.True(sleep >= TimeSpan.FromSeconds(5), $"A preStop delay of {sleep.TotalSeconds} s is too short for endpoints to stop sending.");

        // Kubernetes counts the preStop hook in the grace period; SIGTERM follows it, then the drain; then SIGKILL.
        var grace = TimeSpan.FromSeconds(deployment.Spec.GetProperty("template").GetProperty("spec").GetProperty("terminationGracePeriodSeconds").GetInt64());
        Assert.True(grace >= sleep + drain + TimeSpan.FromSeconds(5),
            $"terminationGracePeriodSeconds ({grace.TotalSeconds} s) must exceed the preStop sleep ({sleep.TotalSeconds} s) plus Edge:Shutdown:DrainTimeout ({drain.TotalSeconds} s) by 5 s or more.");
    }

    [Fact]
    public void Deployment_ConfigurationFile_IsTheEnvironmentsFileInTheImagesContentRoot()
    {
        var contentRoot = ContentRootOfImage().Match(File.ReadAllText(Path.Combine(Repository.Root, "compose", "Dockerfile")));
        Assert.True(contentRoot.Success, "compose/Dockerfile sets no ASPNETCORE_CONTENTROOT.");
        foreach (var objects in new[] { manifests.Base, manifests.Dev })
        {
            var deployment = Single(objects, "Deployment", Edge);
            var mount = Assert.Single(Container(deployment).GetProperty("volumeMounts").EnumerateArray(), m => m.GetProperty("mountPath").GetString()!.StartsWith(contentRoot.Groups[1].Value + "/", StringComparison.Ordinal));
            // One file, not the folder: the image's appsettings.json (every default) stays beside it.
            Assert.Equal($"{contentRoot.Groups[1].Value}/appsettings.{Env(Container(deployment), "ASPNETCORE_ENVIRONMENT")}.json", mount.GetProperty("mountPath").GetString());
            Assert.True(mount.GetProperty("readOnly").GetBoolean());

            var (fileName, content) = MountedConfiguration(objects, deployment);
            Assert.Equal("appsettings.Production.json", fileName);
            Assert.NotEmpty(Flatten(content));
        }
    }

    [Fact]
    public void Deployment_Pods_RunUnprivilegedOnAReadOnlyRootSpreadOverNodesWithinLimits()
    {
        var deployment = Single(manifests.Base, "Deployment", Edge);
        var pod = deployment.Spec.GetProperty("template").GetProperty("spec");
        var container = Container(deployment);
        var podSecurity = pod.GetProperty("securityContext");
        var security = container.GetProperty("securityContext");

        Assert.True(podSecurity.GetProperty("runAsNonRoot").GetBoolean());
        Assert.Equal(1654, podSecurity.GetProperty("runAsUser").GetInt32()); // the aspnet image's user `app`, as compose/Dockerfile's USER $APP_UID
        Assert.Equal("RuntimeDefault", podSecurity.GetProperty("seccompProfile").GetProperty("type").GetString());
        Assert.False(security.GetProperty("allowPrivilegeEscalation").GetBoolean());
        Assert.True(security.GetProperty("readOnlyRootFilesystem").GetBoolean());
        Assert.Equal(["ALL"], security.GetProperty("capabilities").GetProperty("drop").EnumerateArray().Select(c => c.GetString()));

        // .NET needs a writable temporary folder on the read-only root.
        var tmp = Assert.Single(container.GetProperty("volumeMounts").EnumerateArray(), m => m.GetProperty("mountPath").GetString() == "/tmp");
        var volume = Assert.Single(pod.GetProperty("volumes").EnumerateArray(), v => v.GetProperty("name").GetString() == tmp.GetProperty("name").GetString());
        Assert.True(volume.TryGetProperty("emptyDir", out _));

        foreach (var kind in new[] { "requests", "limits" })
        {
            var resources = container.GetProperty("resources").GetProperty(kind);
            Assert.True(resources.TryGetProperty("cpu", out _) && resources.TryGetProperty("memory", out _), $"resources.{kind} needs cpu and memory.");
        }

        var labels = Labels(pod: deployment);
        var spread = pod.GetProperty("topologySpreadConstraints").EnumerateArray().ToList();
        Assert.Contains(spread, s => s.GetProperty("topologyKey").GetString() == "kubernetes.io/hostname");
        Assert.All(spread, s => Assert.Subset(labels, MatchLabels(s.GetProperty("labelSelector"))));
    }

    [Fact]
    public void DevOverlay_Secret_HoldsEveryKeyTheWorkloadsRead()
    {
        // The base reads one Secret it does not hold; the dev overlay generates it (its name gains a hash).
        Assert.DoesNotContain(manifests.Base, o => o.Kind == "Secret");
        Assert.All(SecretReferences(manifests.Base), r => Assert.Equal(SecretName, r.Name));
        var expected = SecretReferences(manifests.Base).Select(r => r.Key).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(["admin-api-key", "redis-configuration", "token-signing-key"], expected.Order(StringComparer.Ordinal));

        var secret = Single(manifests.Dev, "Secret", SecretName);
        var data = secret.Object.GetProperty("data").EnumerateObject().ToDictionary(p => p.Name, p => Encoding.UTF8.GetString(Convert.FromBase64String(p.Value.GetString()!)), StringComparer.Ordinal);
        var references = SecretReferences(manifests.Dev);
        Assert.Superset(expected, references.Where(r => r.Workload == Edge).Select(r => r.Key).ToHashSet(StringComparer.Ordinal));
        foreach (var (workload, name, key) in references)
        {
            Assert.True(name == secret.Name && data.ContainsKey(key), $"{workload} reads key {key} of Secret {name}, which the dev overlay does not hold.");
        }

        Assert.True(data["token-signing-key"].Length >= 32, "Edge:Quotas:TokenSigningKey needs 32 characters or more.");
        Assert.StartsWith("redis:6379,", data["redis-configuration"], StringComparison.Ordinal);
        Assert.Contains($"password={data["redis-password"]}", data["redis-configuration"], StringComparison.Ordinal);
    }

    [Fact]
    public void ServiceBudgetAndAutoscalers_SelectTheEdgesPods()
    {
        foreach (var objects in new[] { manifests.Base, manifests.Dev })
        {
            var deployment = Single(objects, "Deployment", Edge);
            var labels = Labels(pod: deployment);
            Assert.Subset(labels, MatchLabels(deployment.Spec.GetProperty("selector")));

            foreach (var selector in new[] { Single(objects, "Service", Edge).Spec.GetProperty("selector"), Single(objects, "PodDisruptionBudget", Edge).Spec.GetProperty("selector").GetProperty("matchLabels") })
            {
                var wanted = selector.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal);
                Assert.NotEmpty(wanted);
                Assert.Subset(labels, wanted.ToHashSet());
                // …and no other workload's pods (the dev overlay's Redis).
                Assert.All(objects.Where(o => o.Kind == "Deployment" && o.Name != Edge), other => Assert.False(wanted.ToHashSet().IsSubsetOf(Labels(pod: other))));
            }

            var budget = Single(objects, "PodDisruptionBudget", Edge).Spec;
            Assert.True(budget.TryGetProperty("maxUnavailable", out var most) ? most.GetInt32() == 1 : budget.GetProperty("minAvailable").GetInt32() == 1);

            foreach (var autoscaler in new[] { Single(objects, "HorizontalPodAutoscaler", Edge), Single(manifests.CustomMetrics, "HorizontalPodAutoscaler", Edge) })
            {
                var target = autoscaler.Spec.GetProperty("scaleTargetRef");
                Assert.Equal(("apps/v1", "Deployment", Edge), (target.GetProperty("apiVersion").GetString(), target.GetProperty("kind").GetString(), target.GetProperty("name").GetString()));
                Assert.Equal(deployment.Spec.GetProperty("replicas").GetInt32(), autoscaler.Spec.GetProperty("minReplicas").GetInt32());
                Assert.True(autoscaler.Spec.GetProperty("maxReplicas").GetInt32() > autoscaler.Spec.GetProperty("minReplicas").GetInt32());
                Assert.Contains(autoscaler.Spec.GetProperty("metrics").EnumerateArray(), m => m.GetProperty("type").GetString() == "Resource" && m.GetProperty("resource").GetProperty("name").GetString() == "cpu");
            }
        }

        Assert.Equal(["chattts_edge_streams_active"], PodsMetrics(Single(manifests.CustomMetrics, "HorizontalPodAutoscaler", Edge)));
    }

    /// <summary>Starts the proxy; one that refuses its configuration fails the test with what it said.</summary>
    private static async Task<ProxyProcess> StartAsync(Dictionary<string, string> environment, CancellationToken cancellationToken)
    {
        try
        {
            return await ProxyProcess.StartAsync(environment, cancellationToken);
        }
        catch (EnvironmentException ex)
        {
            Assert.Fail($"The proxy did not start with the manifests' configuration: {ex.Message}\n{ex.Details}");
            throw;
        }
    }

    private static string Generic(RenderedObject o) =>
        $"{o.Kind}/{(o.Kind is "ConfigMap" or "Secret" ? HashSuffix().Replace(o.Name, "") : o.Name)}";

    /// <summary>The object of that kind and name; generated ConfigMaps and Secrets are found by the name before their hash.</summary>
    private static RenderedObject Single(IReadOnlyList<RenderedObject> objects, string kind, string name) =>
        Assert.Single(objects, o => o.Kind == kind && (o.Name == name || (kind is "ConfigMap" or "Secret" && HashSuffix().Replace(o.Name, "") == name)));

    private static JsonElement Container(RenderedObject deployment) =>
        Assert.Single(deployment.Spec.GetProperty("template").GetProperty("spec").GetProperty("containers").EnumerateArray());

    private static string? Env(JsonElement container, string name) =>
        container.GetProperty("env").EnumerateArray().Where(e => e.GetProperty("name").GetString() == name)
            .Select(e => e.TryGetProperty("value", out var value) ? value.GetString() : null).SingleOrDefault();

    /// <summary>The container's probes by kind (liveness, readiness, startup), each its <c>httpGet</c>.</summary>
    private static Dictionary<string, JsonElement> Probes(JsonElement container) =>
        ProbeKinds
            .Where(kind => container.TryGetProperty(kind + "Probe", out _))
            .ToDictionary(kind => kind, kind => container.GetProperty(kind + "Probe").GetProperty("httpGet"), StringComparer.Ordinal);

    /// <summary>A port given as a number or as the name of one of the container's ports.</summary>
    private static int ResolvePort(JsonElement container, JsonElement port) =>
        port.ValueKind == JsonValueKind.Number
            ? port.GetInt32()
            : Assert.Single(container.GetProperty("ports").EnumerateArray(), p => p.TryGetProperty("name", out var name) && name.GetString() == port.GetString()).GetProperty("containerPort").GetInt32();

    private static HashSet<KeyValuePair<string, string>> Labels(RenderedObject pod) =>
        MatchLabelsOf(pod.Spec.GetProperty("template").GetProperty("metadata").GetProperty("labels"));

    private static HashSet<KeyValuePair<string, string>> MatchLabels(JsonElement selector) => MatchLabelsOf(selector.GetProperty("matchLabels"));

    private static HashSet<KeyValuePair<string, string>> MatchLabelsOf(JsonElement labels) =>
        [.. labels.EnumerateObject().Select(p => KeyValuePair.Create(p.Name, p.Value.GetString()!))];

    /// <summary>The names of the <c>Pods</c> metrics an autoscaler scales on.</summary>
    private static List<string> PodsMetrics(RenderedObject autoscaler) =>
        [.. autoscaler.Spec.GetProperty("metrics").EnumerateArray().Where(m => m.GetProperty("type").GetString() == "Pods")
            .Select(m => m.GetProperty("pods").GetProperty("metric").GetProperty("name").GetString()!)];

    /// <summary>Every <c>secretKeyRef</c> of every Deployment's containers: the workload, the Secret and the key.</summary>
    private static List<(string Workload, string Name, string Key)> SecretReferences(IReadOnlyList<RenderedObject> objects) =>
        [.. objects.Where(o => o.Kind == "Deployment").SelectMany(d => d.Spec.GetProperty("template").GetProperty("spec").GetProperty("containers").EnumerateArray()
            .SelectMany(c => c.TryGetProperty("env", out var env) ? env.EnumerateArray() : Enumerable.Empty<JsonElement>())
            .Where(e => e.TryGetProperty("valueFrom", out var from) && from.TryGetProperty("secretKeyRef", out _))
            .Select(e => e.GetProperty("valueFrom").GetProperty("secretKeyRef"))
            .Select(r => (d.Name, r.GetProperty("name").GetString()!, r.GetProperty("key").GetString()!)))];

    /// <summary>
    /// The configuration file the Deployment mounts into its container: the mount's file name and the content of the
    /// ConfigMap key it comes from, followed from the mount through the pod's volume to the rendered ConfigMap.
    /// </summary>
    private static (string FileName, string Content) MountedConfiguration(IReadOnlyList<RenderedObject> objects, RenderedObject deployment)
    {
        var mount = Assert.Single(Container(deployment).GetProperty("volumeMounts").EnumerateArray(), m => m.GetProperty("mountPath").GetString()!.EndsWith(".json", StringComparison.Ordinal));
        var volume = Assert.Single(deployment.Spec.GetProperty("template").GetProperty("spec").GetProperty("volumes").EnumerateArray(), v => v.GetProperty("name").GetString() == mount.GetProperty("name").GetString());
        var name = volume.GetProperty("configMap").GetProperty("name").GetString();
        var configMap = Assert.Single(objects, o => o.Kind == "ConfigMap" && o.Name == name);
        var key = mount.GetProperty("subPath").GetString()!;
        return (Path.GetFileName(mount.GetProperty("mountPath").GetString()!), configMap.Object.GetProperty("data").GetProperty(key).GetString()!);
    }

    /// <summary>A configuration file's settings as .NET reads it (comments allowed), in <c>Section:Key</c> form.</summary>
    private static Dictionary<string, string> Flatten(string json)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(json));
        return new ConfigurationBuilder().AddJsonStream(stream).Build().AsEnumerable()
            .Where(s => s.Value is not null)
            .ToDictionary(s => s.Key, s => s.Value!, StringComparer.OrdinalIgnoreCase);
    }

    private static List<string> Destinations(Dictionary<string, string> settings) =>
        [.. settings.Keys.Select(k => DestinationAddress().Match(k)).Where(m => m.Success).Select(m => m.Groups[1].Value)];

    /// <summary>The container's environment as the kubelet sets it: values, and keys of the overlay's Secret.</summary>
    private static Dictionary<string, string> ContainerEnvironment(IReadOnlyList<RenderedObject> objects, JsonElement container)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var variable in container.GetProperty("env").EnumerateArray())
        {
            var name = variable.GetProperty("name").GetString()!;
            if (variable.TryGetProperty("value", out var value))
            {
                environment[name] = value.GetString()!;
                continue;
            }

            var reference = variable.GetProperty("valueFrom").GetProperty("secretKeyRef");
            var secret = Assert.Single(objects, o => o.Kind == "Secret" && o.Name == reference.GetProperty("name").GetString());
            if (secret.Object.GetProperty("data").TryGetProperty(reference.GetProperty("key").GetString()!, out var data))
            {
                environment[name] = Encoding.UTF8.GetString(Convert.FromBase64String(data.GetString()!));
            }
        }

        return environment;
    }

    /// <summary>A StackExchange.Redis configuration string with its endpoints replaced by 127.0.0.1:<paramref name="port"/>.</summary>
    private static string OnLoopback(string configuration, int port) =>
        string.Join(',', configuration.Split(',').Select(part => part.Contains('=', StringComparison.Ordinal) ? part : null).Prepend($"127.0.0.1:{port}").OfType<string>());

    [GeneratedRegex("-[a-z0-9]{10}$")]
    private static partial Regex HashSuffix();

    [GeneratedRegex(@"^ReverseProxy:Clusters:chattts:Destinations:([^:]+):Address$", RegexOptions.IgnoreCase)]
    private static partial Regex DestinationAddress();

    [GeneratedRegex(@"ASPNETCORE_CONTENTROOT=(\S+)")]
    private static partial Regex ContentRootOfImage();
}
