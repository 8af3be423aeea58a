using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using ChatTts.Edge.Tests.Infrastructure;

namespace ChatTts.Edge.Tests.Operations;

/// <summary>
/// compose/: the stack as Debian's <c>docker-compose</c> (v1.29) reads it (no container engine needed, and none runs
/// here), and the Dockerfiles checked against the repository they are built from.
/// </summary>
public sealed partial class ComposeTests
{
    private const string DockerCompose = "/usr/bin/docker-compose";
    private const string ComposeFile = "compose/docker-compose.yml";
    private const string TlsOverride = "compose/docker-compose.tls.yml";
    private const string SigningKey = "compose-tests-signing-key-0123456789abcdef";

    [Theory]
    [InlineData("emulated", "emulator1", "emulator2")]
    [InlineData("gpu", "gpu1", "gpu2")]
    public async Task Config_Profile_StartsItsBackendsUnderTheHostNamesTheEdgesUse(string profile, string backend1, string backend2)
    {
        var config = await ConfigAsync(["-f", ComposeFile, "--profile", profile]);

        // Services without a profile always start; the profile adds its backends and nothing else.
        var active = Services(config).Where(s => Strings(Get(s.Value, "profiles")) is var p && (p.Count == 0 || p.Contains(profile)))
            .ToDictionary(s => s.Key, s => s.Value);
        string[] expected = ["balancer", "edge", "redis", backend1, backend2];
        Assert.Equal(expected.Order(StringComparer.Ordinal), active.Keys.Order(StringComparer.Ordinal));
        Assert.True(Replicas(active["edge"]) >= 2, $"edge runs {Replicas(active["edge"])} replica(s); a fleet needs at least 2.");

        // The edges' configuration is the same for both profiles: each destination's host is one backend of this profile.
        var environment = Map(Get(active["edge"], "environment"));
        var destinations = Destinations(environment);
        Assert.Equal(2, destinations.Count);
        var served = new List<string>();
        foreach (var (id, address) in destinations)
        {
            var uri = new Uri(address);
            var provider = Assert.Single(active, s => s.Key == uri.Host || Aliases(s.Value).Contains(uri.Host));
            served.Add(provider.Key);
            Assert.Contains(uri.Port.ToString(CultureInfo.InvariantCulture), Strings(Get(provider.Value, "expose")));
            Assert.Equal("webui", Scalar(environment, $"ReverseProxy__Clusters__chattts__Destinations__{id}__Metadata__Dialect"));
        }

        Assert.Equal([backend1, backend2], served.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Config_GpuProfile_GivesEachBackendOneNvidiaGpuOfItsOwn()
    {
        var services = Services(await ConfigAsync(["-f", ComposeFile, "--profile", "gpu"]));

        var devices = new List<string>();
        foreach (var name in new[] { "gpu1", "gpu2" })
        {
            var device = Map(Assert.Single(List(Get(services[name], "deploy", "resources", "reservations", "devices"))));
            Assert.Equal("nvidia", Scalar(device, "driver"));
            Assert.Contains("gpu", Strings(device["capabilities"]));
            devices.Add(Assert.Single(Strings(Get(device, "device_ids"))));
            Assert.Equal(["gpu"], Strings(Get(services[name], "profiles")));
            Assert.Contains("9700", Strings(Get(services[name], "expose")));
        }

        Assert.Equal(devices.Count, devices.Distinct(StringComparer.Ordinal).Count());
        Assert.All(services.Where(s => s.Key is not ("gpu1" or "gpu2")), s => Assert.Null(Get(s.Value, "deploy", "resources")));
    }

    [Fact]
    public async Task Config_EmulatedProfile_RunsWebUiEmulatorsThatListenOnEveryInterface()
    {
        var services = Services(await ConfigAsync(["-f", ComposeFile, "--profile", "emulated"]));

        foreach (var name in new[] { "emulator1", "emulator2" })
        {
            var command = Strings(Get(services[name], "command"));
            Assert.Equal("webui:9700", command[command.IndexOf("--instance") + 1]);
            Assert.Equal("*", command[command.IndexOf("--host") + 1]); // the emulator binds 127.0.0.1 unless told otherwise
            Assert.Equal("compose/Dockerfile.emulator", Scalar(Map(Get(services[name], "build")), "dockerfile"));
            Assert.Equal(["emulated"], Strings(Get(services[name], "profiles")));
        }
    }

    [Fact]
    public async Task Config_Edges_ShareRedisAndReadConfigurationAndCertificatesReadOnly()
    {
        var config = await ConfigAsync(["-f", ComposeFile, "--profile", "emulated"]);
        var services = Services(config);
        var edge = services["edge"];
        var environment = Map(Get(edge, "environment"));

        Assert.Equal("Redis", Scalar(environment, "Edge__Quotas__Store"));
        Assert.Equal("redis:6379", Scalar(environment, "Edge__Quotas__Redis"));
        Assert.Equal(SigningKey, Scalar(environment, "Edge__Quotas__TokenSigningKey"));
        Assert.Equal("Production", Scalar(environment, "ASPNETCORE_ENVIRONMENT"));
        Assert.Equal("http://+:8080", Scalar(environment, "ASPNETCORE_URLS"));
        Assert.Equal("compose/Dockerfile", Scalar(Map(Get(edge, "build")), "dockerfile"));
        Assert.Equal(Repository.Root, Scalar(Map(Get(edge, "build")), "context"));

        var volumes = Strings(Get(edge, "volumes"));
        Assert.Contains($"{Path.Combine(Repository.Root, "appsettings")}:/app/config:ro", volumes);
        Assert.Contains("certs:/certs:ro", volumes);
        Assert.NotNull(Get(config, "volumes", "certs"));
        Assert.Contains("/healthz", Strings(Get(edge, "healthcheck", "test")));

        // Every file the stack mounts from this machine is in the repository.
        foreach (var source in services.Values.SelectMany(s => Strings(Get(s, "volumes"))).Select(v => v.Split(':')[0]).Where(Path.IsPathRooted))
        {
            Assert.True(File.Exists(source) || Directory.Exists(source), $"{source} is mounted but does not exist.");
        }

        // Only the balancer publishes ports; the API's is 8080.
        var published = services.Where(s => Get(s.Value, "ports") is not null).ToList();
        Assert.Equal("balancer", Assert.Single(published).Key);
        Assert.Contains(List(Get(services["balancer"], "ports")), p => p is Dictionary<string, object?> port && Scalar(port, "published") == "8080" && Scalar(port, "target") == "8080");
        var haproxy = Path.Combine(Repository.Root, "compose", "haproxy.cfg");
        Assert.Contains($"{haproxy}:/usr/local/etc/haproxy/haproxy.cfg:ro", Strings(Get(services["balancer"], "volumes")));
        Assert.Contains("server-template edge 1-8 edge:8080", File.ReadAllText(haproxy), StringComparison.Ordinal);

        // The replicas share GPU slots, and trust the balancer's forwarded headers: its address, and only its.
        Assert.Equal("Redis", Scalar(environment, "Edge__Admission__Store"));
        var balancerAddress = Scalar(Map(Get(services["balancer"], "networks", "default")), "ipv4_address");
        Assert.Equal(balancerAddress, Scalar(environment, "Edge__ForwardedHeaders__KnownProxies__0"));
        Assert.Contains("option forwardfor", File.ReadAllText(haproxy), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Config_EveryService_RestartsUnlessStoppedAndHasAHealthCheck()
    {
        var services = Services(await ConfigAsync(["-f", ComposeFile, "--profile", "emulated", "--profile", "gpu"]));

        Assert.Equal(7, services.Count);
        Assert.All(services, s =>
        {
            Assert.True(Get(s.Value, "restart") is "unless-stopped", $"{s.Key} has no restart: unless-stopped.");
            Assert.True(Strings(Get(s.Value, "healthcheck", "test")).Count > 1, $"{s.Key} has no health check.");
        });
    }

    [Fact]
    public async Task Config_WithTlsOverride_PublishesHttpsAndReadsTheCertificatesFromTheVolume()
    {
        var services = Services(await ConfigAsync(["-f", ComposeFile, "-f", TlsOverride, "--profile", "emulated"]));

        var environment = Map(Get(services["edge"], "environment"));
        Assert.Equal("http://+:8080", Scalar(environment, "Kestrel__Endpoints__Plain__Url"));
        Assert.Equal("https://+:8443", Scalar(environment, "Kestrel__Endpoints__Mtls__Url"));
        Assert.StartsWith("/certs/", Scalar(environment, "Kestrel__Endpoints__Mtls__Certificate__Path"), StringComparison.Ordinal);
        Assert.StartsWith("/certs/", Scalar(environment, "Kestrel__Endpoints__Mtls__Certificate__KeyPath"), StringComparison.Ordinal);
        Assert.StartsWith("/certs/", Scalar(environment, "Edge__ClientCertificates__TrustedCaPath"), StringComparison.Ordinal);
        var ports = List(Get(services["balancer"], "ports")).OfType<Dictionary<string, object?>>().Select(p => Scalar(p, "published")).ToList();
        Assert.Equal(["8080", "8443"], ports);
    }

    [Fact]
    public async Task Config_WithoutTokenSigningKey_FailsNamingTheVariable()
    {
        var (exitCode, _, error) = await RunComposeAsync(["-f", ComposeFile, "--profile", "emulated", "config"], signingKey: null);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("EDGE_TOKEN_SIGNING_KEY", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("compose/Dockerfile")]
    [InlineData("compose/Dockerfile.emulator")]
    public void Dockerfile_CopiesOnlyWhatTheRepositoryHasAndRunsAsAnUnprivilegedUser(string dockerfile)
    {
        var root = Repository.Root;
        var instructions = Instructions(File.ReadAllText(Path.Combine(root, dockerfile)));

        var copies = instructions.Where(i => i.Name is "COPY" or "ADD").ToList();
        Assert.NotEmpty(copies);
        foreach (var (name, arguments) in copies.Where(i => !i.Arguments.Any(a => a.StartsWith("--from=", StringComparison.Ordinal))))
        {
            var paths = arguments.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToList();
            Assert.True(paths.Count >= 2, $"{name} {string.Join(' ', arguments)} needs a source and a destination.");
            foreach (var source in paths[..^1])
            {
                var path = Path.Combine(root, source.TrimEnd('/'));
                Assert.True(File.Exists(path) || Directory.Exists(path), $"{dockerfile}: {name} {source}: not in the repository (the build context is its root).");
            }
        }

        var final = instructions.Skip(instructions.FindLastIndex(i => i.Name == "FROM")).ToList();
        var user = final.Where(i => i.Name == "USER").Select(i => i.Arguments.Single()).LastOrDefault();
        Assert.False(user is null or "root" or "0" or "0:0" or "root:root", $"{dockerfile}: the image runs as '{user ?? "root (no USER)"}'.");
        Assert.Equal("/app", final.Last(i => i.Name == "WORKDIR").Arguments.Single());

        // BuildKit reads <Dockerfile>.dockerignore: the host's build outputs stay out of the context.
        var ignore = File.ReadAllLines(Path.Combine(root, dockerfile + ".dockerignore")).Select(l => l.Trim().TrimEnd('/')).ToList();
        Assert.Contains("**/bin", ignore);
        Assert.Contains("**/obj", ignore);
    }

    private static async Task<Dictionary<string, object?>> ConfigAsync(string[] options)
    {
        var (exitCode, output, error) = await RunComposeAsync([.. options, "config"], SigningKey);
        Assert.True(exitCode == 0, $"docker-compose {string.Join(' ', options)} config exited with {exitCode}:\n{error}");
        // v1 goes on after telling of a variable that is not set (it uses a blank), of keys it ignores and the like:
        // each is a mistake here. Only Python's own library warnings (file.py:line: XWarning, then the source line) pass.
        var complaints = error.Split('\n').Where(l => l.Trim().Length > 0 && !char.IsWhiteSpace(l[0]) && !PythonWarning().IsMatch(l)).ToList();
        Assert.True(complaints.Count == 0, $"docker-compose {string.Join(' ', options)} config said:\n{error}");
        return Map(ParseYaml(output));
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunComposeAsync(string[] arguments, string? signingKey)
    {
        Assert.True(File.Exists(DockerCompose), $"These tests need Debian's docker-compose ({DockerCompose}): run scripts/install-deps.sh as root.");
        // Only the files decide: an empty environment file instead of compose/.env, and none of this machine's
        // variables that the files or docker-compose read.
        var emptyEnvFile = Path.GetTempFileName();
        try
        {
            var start = new ProcessStartInfo(DockerCompose)
            {
                WorkingDirectory = Repository.Root,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            string[] all = ["--env-file", emptyEnvFile, .. arguments];
            foreach (var argument in all)
            {
                start.ArgumentList.Add(argument);
            }

            foreach (var name in start.Environment.Keys.Where(IsComposeVariable).ToList())
            {
                start.Environment.Remove(name);
            }

            if (signingKey is not null)
            {
                start.Environment["EDGE_TOKEN_SIGNING_KEY"] = signingKey;
            }

            using var process = Process.Start(start) ?? throw new InvalidOperationException("docker-compose did not start");
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var error = process.StandardError.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token);
            return (process.ExitCode, await output, await error);
        }
        finally
        {
            File.Delete(emptyEnvFile);
        }
    }

    private static bool IsComposeVariable(string name) =>
        name.StartsWith("COMPOSE_", StringComparison.Ordinal) || name.StartsWith("EDGE_", StringComparison.Ordinal)
        || name.StartsWith("CHATTTS_", StringComparison.Ordinal) || name.StartsWith("EMULATOR_", StringComparison.Ordinal);

    private static Dictionary<string, Dictionary<string, object?>> Services(Dictionary<string, object?> config) =>
        Map(config["services"]).ToDictionary(s => s.Key, s => Map(s.Value), StringComparer.Ordinal);

    private static List<(string Id, string Address)> Destinations(Dictionary<string, object?> environment) =>
        [.. environment.Select(e => (Match: DestinationAddress().Match(e.Key), Value: e.Value as string))
            .Where(e => e.Match.Success && e.Value is not null)
            .Select(e => (e.Match.Groups[1].Value, e.Value!))];

    private static List<string> Aliases(Dictionary<string, object?> service) =>
        Get(service, "networks") is Dictionary<string, object?> networks
            ? [.. networks.Values.SelectMany(n => Strings(Get(n, "aliases")))]
            : [];

    private static int Replicas(Dictionary<string, object?> service) =>
        int.Parse(Get(service, "deploy", "replicas") as string ?? Get(service, "scale") as string ?? "1", CultureInfo.InvariantCulture);

    private static object? Get(object? node, params string[] path)
    {
        foreach (var key in path)
        {
            node = node is Dictionary<string, object?> map && map.TryGetValue(key, out var value) ? value : null;
        }

        return node;
    }

    private static Dictionary<string, object?> Map(object? node) =>
        node as Dictionary<string, object?> ?? throw new InvalidOperationException($"Expected a mapping, found {node ?? "nothing"}.");

    private static List<object?> List(object? node) => node as List<object?> ?? [];

    private static List<string> Strings(object? node) => [.. List(node).OfType<string>()];

    private static string? Scalar(Dictionary<string, object?> map, string key) => map.TryGetValue(key, out var value) ? value as string : null;

    /// <summary>
    /// The instructions of a Dockerfile: continuation lines joined, comments dropped, arguments split on white
    /// space or read from the JSON (exec) form.
    /// </summary>
    private static List<(string Name, List<string> Arguments)> Instructions(string dockerfile)
    {
        var instructions = new List<(string, List<string>)>();
        var joined = ContinuationLine().Replace(dockerfile, " ");
        foreach (var line in joined.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')))
        {
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            var name = (space < 0 ? line : line[..space]).ToUpperInvariant();
            var rest = space < 0 ? string.Empty : line[(space + 1)..].Trim();
            var arguments = rest.StartsWith('[')
                ? System.Text.Json.JsonSerializer.Deserialize<List<string>>(rest) ?? []
                : [.. rest.Split(' ', StringSplitOptions.RemoveEmptyEntries)];
            instructions.Add((name, arguments));
        }

        return instructions;
    }

    /// <summary>
    /// Reads the block YAML that <c>docker-compose config</c> prints (PyYAML's output): mappings, sequences (at the
    /// indentation of their key, or deeper), scalars that may wrap onto deeper lines, plain or quoted. Enough for
    /// that output, not for YAML at large.
    /// </summary>
    private static object? ParseYaml(string text)
    {
        var lines = text.Split('\n')
            .Select(l => l.TrimEnd('\r'))
            .Where(l => l.Trim().Length > 0 && !l.TrimStart().StartsWith('#'))
            .Select(l => (Indent: l.Length - l.TrimStart(' ').Length, Text: l.Trim()))
            .ToList();
        var index = 0;
        var document = lines.Count == 0 ? null : ParseBlock(lines, ref index, lines[0].Indent);
        return index == lines.Count ? document : throw new FormatException($"Unexpected YAML at line {index + 1}: {lines[index].Text}");
    }

    private static object ParseBlock(List<(int Indent, string Text)> lines, ref int index, int indent) =>
        IsItem(lines[index].Text) ? ParseSequence(lines, ref index, indent) : ParseMapping(lines, ref index, indent);

    private static Dictionary<string, object?> ParseMapping(List<(int Indent, string Text)> lines, ref int index, int indent)
    {
        var map = new Dictionary<string, object?>(StringComparer.Ordinal);
        while (index < lines.Count && lines[index].Indent == indent && !IsItem(lines[index].Text))
        {
            var (key, value) = SplitKey(lines[index].Text) ?? throw new FormatException($"Expected 'key:' at line {index + 1}: {lines[index].Text}");
            index++;
            map[key] = value.Length > 0 ? ReadScalar(value, lines, ref index, indent) : ParseChild(lines, ref index, indent);
        }

        return map;
    }

    private static List<object?> ParseSequence(List<(int Indent, string Text)> lines, ref int index, int indent)
    {
        var list = new List<object?>();
        while (index < lines.Count && lines[index].Indent == indent && IsItem(lines[index].Text))
        {
            var content = lines[index].Text[1..].TrimStart();
            if (content.Length == 0)
            {
                index++;
                list.Add(ParseChild(lines, ref index, indent));
            }
            else if (content[0] is not ('\'' or '"') && SplitKey(content) is not null)
            {
                // "- key: value" opens a mapping whose keys line up two columns right of the dash.
                lines[index] = (indent + 2, content);
                list.Add(ParseMapping(lines, ref index, indent + 2));
            }
            else
            {
                index++;
                list.Add(ReadScalar(content, lines, ref index, indent));
            }
        }

        return list;
    }

    // A key's block value is indented deeper than the key, or is a sequence at the key's own indentation.
    private static object? ParseChild(List<(int Indent, string Text)> lines, ref int index, int indent) =>
        index < lines.Count && (lines[index].Indent > indent || (lines[index].Indent == indent && IsItem(lines[index].Text)))
            ? ParseBlock(lines, ref index, lines[index].Indent)
            : null;

    // A long scalar continues on the lines indented deeper than its key or dash; a line break folds to a space.
    private static string ReadScalar(string first, List<(int Indent, string Text)> lines, ref int index, int indent)
    {
        var parts = new List<string> { first };
        while (index < lines.Count && lines[index].Indent > indent)
        {
            parts.Add(lines[index++].Text);
        }

        var value = string.Join(' ', parts);
        return value.Length >= 2 && value[0] == '\'' && value[^1] == '\'' ? value[1..^1].Replace("''", "'", StringComparison.Ordinal)
            : value.Length >= 2 && value[0] == '"' && value[^1] == '"' ? Regex.Unescape(value[1..^1])
            : value;
    }

    private static bool IsItem(string text) => text == "-" || text.StartsWith("- ", StringComparison.Ordinal);

    private static (string Key, string Value)? SplitKey(string text)
    {
        if (text[0] is '\'' or '"')
        {
            var close = text.IndexOf(text[0], 1);
            return close > 0 && close + 1 < text.Length && text[close + 1] == ':' ? (text[1..close], text[(close + 2)..].Trim()) : null;
        }

        var colon = text.IndexOf(": ", StringComparison.Ordinal);
        return colon > 0 ? (text[..colon], text[(colon + 2)..].Trim())
            : text.EndsWith(':') ? (text[..^1], string.Empty)
            : null;
    }

    [GeneratedRegex(@"^ReverseProxy__Clusters__chattts__Destinations__([^_]+(?:_[^_]+)*)__Address$")]
    private static partial Regex DestinationAddress();

    [GeneratedRegex(@"\\\r?\n")]
    private static partial Regex ContinuationLine();

    [GeneratedRegex(@"^\S+\.py:\d+: \w*Warning: ")]
    private static partial Regex PythonWarning();
}
