using System.Diagnostics;
using System.Net;
using System.Text.Json;
using ChatTts.Edge.Tests.Infrastructure;
using ChatTts.Emulator;

namespace ChatTts.Edge.Tests.Observability;

/// <summary><c>GET /metrics</c>: what the edge did, in a format Prometheus's own tools accept.</summary>
[Collection(MetersAlone.Name)]
public sealed class MetricsTests
{
    [Fact]
    public async Task Metrics_AfterStreamsAndA429_CountWhatHappened_AndPromtoolAcceptsThem()
    {
        await using var backend = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("webui"));
        await using var edge = EdgeApp.Start(backend, QuotaSettings.Alice(requestsPerMinute: 1, burst: 3));
        using var client = edge.CreateRealClient();
        var stream = "/v1/tts/stream?text=hello&api_key=" + QuotaSettings.AliceKey;

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal("done", (await SseCapture.GetAsync(client, stream)).EventTypes.Last());
        }

        using (var limited = await client.GetAsync(stream))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        }

        using var response = await client.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        // The OpenTelemetry exporter labels every series with its meter's name; the assertions read past it.
        var lines = text.Replace("otel_scope_name=\"ChatTts.Edge\",", "", StringComparison.Ordinal)
            .Replace("{otel_scope_name=\"ChatTts.Edge\"}", "", StringComparison.Ordinal).Split('\n');
        Assert.Contains("chattts_edge_streams_total{outcome=\"done\"} 3", lines);
        Assert.Contains("chattts_edge_streams_total{outcome=\"http_429\"} 1", lines);
        Assert.Contains("chattts_edge_characters_total 15", lines);
        Assert.Contains("chattts_edge_quota_decisions_total{outcome=\"allowed\"} 3", lines);
        Assert.Contains("chattts_edge_quota_decisions_total{outcome=\"rate\"} 1", lines);
        Assert.Contains("chattts_edge_stream_time_to_first_audio_seconds_count 3", lines);
        Assert.Contains("chattts_edge_streams_active 0", lines);
        Assert.Contains("chattts_edge_backend_available{backend=\"gpu0\"} 1", lines);
        Assert.Contains("chattts_edge_backend_in_flight{backend=\"gpu0\"} 0", lines);
        Assert.Contains("chattts_edge_queue_length 0", lines);
        Assert.Contains("# TYPE chattts_edge_stream_time_to_first_audio_seconds histogram", lines);

        var (exitCode, output) = await RunAsync("promtool", ["check", "metrics"], text);
        Assert.True(exitCode == 0, "promtool check metrics: " + output);
    }

    [Fact]
    public async Task Metrics_ASeededRequestTwice_CountsOneCacheMissAndOneHit()
    {
        await using var backend = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("webui"));
        await using var edge = EdgeApp.Start(backend);
        using var client = edge.CreateRealClient();

        await SseCapture.GetAsync(client, "/v1/tts/stream?text=hello&seed=42");
        await SseCapture.GetAsync(client, "/v1/tts/stream?text=hello&seed=42");
        await SseCapture.GetAsync(client, "/v1/tts/stream?text=hello"); // no seed: no lookup
        using var response = await client.GetAsync("/metrics");
        var lines = (await response.Content.ReadAsStringAsync()).Replace("otel_scope_name=\"ChatTts.Edge\",", "", StringComparison.Ordinal).Split('\n');

        Assert.Contains("chattts_edge_cache_lookups_total{result=\"miss\"} 1", lines);
        Assert.Contains("chattts_edge_cache_lookups_total{result=\"hit\"} 1", lines);
        Assert.Equal(2, backend.RequestCount);
    }

    [Fact]
    public async Task Prometheus_ScrapingTheEdge_RecordsTheTimeToFirstAudioHistogram()
    {
        Assert.True(File.Exists("/usr/bin/prometheus"), "This test needs Debian's prometheus: run scripts/install-deps.sh as root.");
        await using var backend = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("webui"));
        await using var edge = EdgeApp.Start(backend);
        using var client = edge.CreateRealClient();
        Assert.Equal("done", (await SseCapture.GetAsync(client, "/v1/tts/stream?text=hello")).EventTypes.Last());

        var folder = Directory.CreateTempSubdirectory("chattts-edge-prometheus-").FullName;
        var port = Loopback.FreePort();
        await File.WriteAllTextAsync(Path.Combine(folder, "prometheus.yml"),
            $"global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: edge\n    static_configs:\n      - targets: ['127.0.0.1:{edge.Address.Port}']\n");
        using var prometheus = Process.Start(new ProcessStartInfo("/usr/bin/prometheus",
            [$"--config.file={folder}/prometheus.yml", $"--storage.tsdb.path={folder}/data", $"--web.listen-address=127.0.0.1:{port}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        prometheus.BeginOutputReadLine();
        prometheus.BeginErrorReadLine();
        try
        {
            using var query = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var count = 0.0;
            while (count < 1)
            {
                await Task.Delay(250, timeout.Token);
                try
                {
                    var body = await query.GetStringAsync("api/v1/query?query=chattts_edge_stream_time_to_first_audio_seconds_count", timeout.Token);
                    var result = JsonDocument.Parse(body).RootElement.GetProperty("data").GetProperty("result");
                    count = result.GetArrayLength() == 0 ? 0 : double.Parse(result[0].GetProperty("value")[1].GetString()!, System.Globalization.CultureInfo.InvariantCulture);
                }
                catch (HttpRequestException)
                {
                    // Prometheus is still starting.
                }
            }

            Assert.Equal(1, count);
        }
        finally
        {
            prometheus.Kill(entireProcessTree: true);
            await prometheus.WaitForExitAsync();
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Otlp_WithAnEndpointConfigured_PushesTheMeterToTheCollector()
    {
        var port = Loopback.FreePort();
        using var collector = new HttpListener();
        collector.Prefixes.Add($"http://127.0.0.1:{port}/");
        collector.Start();
        await using var backend = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("webui"));
        await using var edge = EdgeApp.Start(backend, new Dictionary<string, string?>
        {
            ["Edge:Telemetry:OtlpEndpoint"] = $"http://127.0.0.1:{port}/v1/metrics",
            ["Edge:Telemetry:OtlpProtocol"] = "HttpProtobuf",
            ["Edge:Telemetry:ExportInterval"] = "00:00:00.200",
        });
        using var client = edge.CreateRealClient();
        Assert.Equal("done", (await SseCapture.GetAsync(client, "/v1/tts/stream?text=hello")).EventTypes.Last());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        while (true)
        {
            var context = await collector.GetContextAsync().WaitAsync(timeout.Token);
            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body, timeout.Token);
            context.Response.StatusCode = 200;
            context.Response.Close();
            var payload = System.Text.Encoding.UTF8.GetString(body.ToArray()); // protobuf carries names as UTF-8
            Assert.Equal("application/x-protobuf", context.Request.ContentType);
            var path = context.Request.Url!.AbsolutePath;
            Assert.True(path is "/v1/metrics" or "/v1/traces", path); // the same collector gets the stream's trace too
            if (path == "/v1/metrics" && payload.Contains("chattts.edge.stream.time_to_first_audio", StringComparison.Ordinal))
            {
                Assert.Contains("ChatTts.Edge", payload, StringComparison.Ordinal);
                break;
            }
        }
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, string[] arguments, string input)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException($"{file} did not start");
        await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, output);
    }
}

/// <summary>
/// OpenTelemetry's metrics pipeline listens to meters by name, process-wide: an edge's <c>/metrics</c> would count the
/// streams of every other edge the test process runs at the time. Tests that read exact counts run on their own.
/// (A deployment runs one edge per process.)
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MetersAlone
{
    public const string Name = "Meters";
}
