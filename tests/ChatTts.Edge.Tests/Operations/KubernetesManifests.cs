using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ChatTts.Edge.Tests.Operations;

/// <summary>
/// deploy/kubernetes as a cluster would receive it: rendered by <c>kubectl kustomize</c> (offline), then checked by
/// <c>tests/tools/kubernetes/validate.mjs</c> against the Kubernetes API's schemas (kubernetes-models), which hands the
/// objects back as JSON.
/// </summary>
internal static class KubernetesManifests
{
    private const string Kubectl = "/usr/bin/kubectl";
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(1);

    /// <summary><c>kubectl kustomize &lt;folder&gt;</c> (a folder of the repository): the YAML it prints.</summary>
    public static async Task<string> RenderAsync(string folder)
    {
        var kubectl = Find(Kubectl);
        Assert.True(kubectl is not null,
            $"kubectl is missing ({Kubectl}, or on PATH): these tests render deploy/kubernetes with `kubectl kustomize` (kubectl 1.27 or later, "
            + "kustomize 5 inside). Install the package `kubectl` (scripts/install-deps.sh tries), or put a kubectl binary on PATH.");
        var (exitCode, output, error) = await RunAsync(kubectl!, ["kustomize", Path.Combine(Repository.Root, folder)], Repository.Root);
        Assert.True(exitCode == 0, $"kubectl kustomize {folder} exited with {exitCode}:\n{error}");
        return output;
    }

    /// <summary>
    /// Runs the validator on <paramref name="yamlFiles"/> (each a stream of YAML documents) and returns what it says:
    /// whether every object is valid, the errors (each naming its file, kind, name and field) and the objects.
    /// </summary>
    public static async Task<Validation> ValidateAsync(params string[] yamlFiles)
    {
        var tool = Path.Combine(Repository.Root, "tests", "tools", "kubernetes");
        var node = InstalledProgram.Find("/usr/bin/node", "nodejs");
        Assert.True(File.Exists(Path.Combine(tool, "node_modules", "kubernetes-models", "package.json")),
            $"The Kubernetes schema validator is not installed in {tool}: run scripts/install-deps.sh (it runs npm ci there).");
        var (exitCode, output, error) = await RunAsync(node, [Path.Combine(tool, "validate.mjs"), .. yamlFiles], tool);
        Assert.True(exitCode is 0 or 1, $"validate.mjs exited with {exitCode}:\n{error}{output}");
        using var result = JsonDocument.Parse(output);
        var root = result.RootElement;
        return new Validation(
            root.GetProperty("valid").GetBoolean(),
            [.. root.GetProperty("errors").EnumerateArray().Select(e => e.GetString()!)],
            [.. root.GetProperty("objects").EnumerateArray().Select(o => new RenderedObject(o.GetProperty("file").GetString()!, o.GetProperty("object").Clone()))]);
    }

    /// <summary>Writes <paramref name="yaml"/> to a new temporary file named after <paramref name="name"/>; the caller deletes it.</summary>
    public static string WriteTemporary(string name, string yaml)
    {
        var file = Path.Combine(Path.GetTempPath(), $"chattts-edge-{name}-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(file, yaml, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        return file;
    }

    private static string? Find(string path) =>
        File.Exists(path) ? path
        : (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, Path.GetFileName(path))).FirstOrDefault(File.Exists);

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(string program, string[] arguments, string workingDirectory)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException($"{program} did not start");
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var error = process.StandardError.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token);
            return (process.ExitCode, await output, await error);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"{Path.GetFileName(program)} {string.Join(' ', arguments)} did not finish within {Timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s.");
            throw;
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }
}

/// <summary>What the validator said about a set of files.</summary>
internal sealed record Validation(bool Valid, IReadOnlyList<string> Errors, IReadOnlyList<RenderedObject> Objects);

/// <summary>One Kubernetes object and the file it came from.</summary>
internal sealed record RenderedObject(string File, JsonElement Object)
{
    public string Kind => Object.GetProperty("kind").GetString()!;

    public string Name => Object.GetProperty("metadata").GetProperty("name").GetString()!;

    public string? Namespace => Object.GetProperty("metadata").TryGetProperty("namespace", out var ns) ? ns.GetString() : null;

    public JsonElement Spec => Object.GetProperty("spec");

    public override string ToString() => $"{Kind}/{Name}";
}
