using System.Diagnostics;
using System.Text.Json;

namespace ChatTts.Edge.Tests.Api.OpenAi;

/// <summary>One step of an <see cref="OpenAiSdk"/> run: <c>client.audio.speech.create(params)</c> read as <paramref name="Read"/>
/// (<c>whole</c>, <c>incremental</c>, <c>sse</c>), or <c>client.models.list()</c> for <c>models</c>.</summary>
internal sealed record SdkStep(IReadOnlyDictionary<string, object?> Params, string Read = "whole");

/// <summary>
/// OpenAI's official JavaScript SDK (npm <c>openai</c>, pinned in <c>tests/tools/openai</c>) run by node against the edge, one
/// process per run: <c>tests/tools/openai/speech.mjs</c> prints one JSON line per outcome, read here as they come. Disposing it
/// stops the process if it still runs.
/// </summary>
internal sealed class OpenAiSdk : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _folder;
    private readonly Task<string> _errors;

    private OpenAiSdk(Process process, string folder)
    {
        _process = process;
        _folder = folder;
        _errors = process.StandardError.ReadToEndAsync();
    }

    /// <summary>The SDK's <c>baseURL</c> is the edge's <c>/v1</c>.</summary>
    public static OpenAiSdk Start(Uri edge, string apiKey, params SdkStep[] steps)
    {
        var tool = Path.Combine(Repository.Root, "tests", "tools", "openai");
        Assert.True(File.Exists(Path.Combine(tool, "node_modules", "openai", "package.json")),
            $"OpenAI's SDK is not installed in {tool}: run scripts/install-deps.sh (it runs npm ci there).");
        var node = InstalledProgram.Find("/usr/bin/node", "nodejs");
        var folder = Directory.CreateTempSubdirectory("chattts-edge-openai-").FullName;
        var config = JsonSerializer.Serialize(new
        {
            baseURL = new Uri(edge, "/v1").AbsoluteUri,
            apiKey,
            steps = steps.Select((s, i) => new { @params = s.Params, read = s.Read, @out = Path.Combine(folder, $"{i}.bin") }),
        });
        var process = Process.Start(new ProcessStartInfo(node, [Path.Combine(tool, "speech.mjs"), config])
        {
            WorkingDirectory = tool,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        return new OpenAiSdk(process, folder);
    }

    /// <summary>The bytes step <paramref name="step"/> received (its body, or its SSE deltas' bytes concatenated).</summary>
    public byte[] Received(int step) => File.ReadAllBytes(Path.Combine(_folder, $"{step}.bin"));

    /// <summary>The next line the script prints.</summary>
    public async Task<JsonElement> NextAsync(CancellationToken cancellationToken)
    {
        var line = await _process.StandardOutput.ReadLineAsync(cancellationToken);
        if (line is null)
        {
            await _process.WaitForExitAsync(cancellationToken);
            Assert.Fail($"node ended (exit code {_process.ExitCode}) before printing what was expected: {await _errors}");
        }

        return JsonDocument.Parse(line).RootElement.Clone();
    }

    /// <summary>Every remaining line, once the script has ended (exit code 0).</summary>
    public async Task<List<JsonElement>> RestAsync(CancellationToken cancellationToken)
    {
        var lines = new List<JsonElement>();
        while (await _process.StandardOutput.ReadLineAsync(cancellationToken) is { } line)
        {
            lines.Add(JsonDocument.Parse(line).RootElement.Clone());
        }

        await _process.WaitForExitAsync(cancellationToken);
        Assert.True(_process.ExitCode == 0, $"node exited with {_process.ExitCode}: {await _errors}");
        return lines;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
