using System.Text.Json;
using ChatTts.Edge.Tests.Infrastructure;
using ChatTts.Emulator;

namespace ChatTts.Edge.Tests.Integration;

/// <summary>Ops edit the backend list in the configuration file while the proxy runs.</summary>
public sealed class LiveConfigurationTests
{
    [Fact]
    public async Task ConfigurationFile_AddDrainAndRemoveDestinations_TakeEffectWithoutRestart()
    {
        await using var first = await EmulatorInstance.StartAsync(EmulatorPresets.Paced("webui", realTimeFactor: 0.5, firstChunkMs: 10));
        await using var second = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("forge"));
        var file = Path.Combine(Path.GetTempPath(), $"chattts-edge-{Guid.NewGuid():N}.json");
        try
        {
            await WriteAsync(file, ("first", first, false));
            await using var edge = EdgeApp.Start([], jsonFile: file);
            using var client = edge.CreateRealClient();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));

            // A long stream is under way on the only backend…
            const string longText = "This long sentence keeps the first GPU busy for a couple of seconds while its operator drains it.";
            var longStream = SseCapture.GetAsync(client, "/v1/tts/stream?text=" + Uri.EscapeDataString(longText), timeout.Token);
            await FleetStatus.WaitUntilAsync(client, s => FleetStatus.Destination(s, "first")?.GetProperty("in_flight").GetInt32() == 1, timeout.Token);

            // …when the file gains a second backend and drains the first.
            await WriteAsync(file, ("first", first, true), ("second", second, false));
            await FleetStatus.WaitUntilAsync(client, s =>
                FleetStatus.Destination(s, "second") is not null && FleetStatus.Destination(s, "first")?.GetProperty("draining").GetBoolean() == true, timeout.Token);

            for (var i = 0; i < 3; i++)
            {
                var text = $"New stream {i} after the change.";
                var stream = await SseCapture.GetAsync(client, "/v1/tts/stream?text=" + Uri.EscapeDataString(text), timeout.Token);
                Assert.Equal("done", stream.EventTypes.Last());
                Assert.Equal("second", stream.Single("done").GetProperty("backend").GetString());
                Assert.Equal(second.ProducedPcm(Assert.Single(second.Requests, r => r.Text == text)), stream.AudioPcm());
            }

            // The drained backend's open stream was left to finish, whole.
            var drained = await longStream;
            Assert.Equal("done", drained.EventTypes.Last());
            Assert.Equal("first", drained.Single("done").GetProperty("backend").GetString());
            Assert.Equal(first.ProducedPcm(first.Requests[0]), drained.AudioPcm());
            Assert.Equal(1, first.RequestCount);

            // Removing it from the file removes it from the proxy.
            await WriteAsync(file, ("second", second, false));
            var status = await FleetStatus.WaitUntilAsync(client, s => FleetStatus.Destination(s, "first") is null, timeout.Token);
            Assert.Equal(["second"], status.GetProperty("destinations").EnumerateArray().Select(d => d.GetProperty("id").GetString()));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task ConfigurationFile_BadEdgeValue_IsLoggedOnceAndTheLastGoodValueServesUntilTheFileIsFixed()
    {
        await using var backend = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("webui"));
        var file = Path.Combine(Path.GetTempPath(), $"chattts-edge-{Guid.NewGuid():N}.json");
        try
        {
            await WriteEdgeAsync(file, 500);
            var logs = new LogCapture();
            await using var edge = EdgeApp.Start([backend], jsonFile: file, logs: logs);
            using var client = edge.CreateRealClient();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            Assert.Equal(500, await FirstChunkMsAsync(client, timeout.Token));

            await WriteEdgeAsync(file, "abc");
            while (!Refusals(logs).Any())
            {
                await Task.Delay(50, timeout.Token);
            }

            // Serving goes on with the last good value; the mistake is named once, by its key.
            for (var i = 0; i < 3; i++)
            {
                Assert.Equal(500, await FirstChunkMsAsync(client, timeout.Token));
            }

            Assert.Contains("Edge:Streaming:DefaultChunkMs is 'abc'", Assert.Single(Refusals(logs)), StringComparison.Ordinal);

            await WriteEdgeAsync(file, 300);
            while (await FirstChunkMsAsync(client, timeout.Token) != 300)
            {
                await Task.Delay(50, timeout.Token);
            }
        }
        finally
        {
            File.Delete(file);
        }

        static IEnumerable<string> Refusals(LogCapture logs) =>
            logs.Entries.Where(e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Warning && e.Message.Contains("refused", StringComparison.Ordinal)).Select(e => e.Message);
    }

    private static async Task<double> FirstChunkMsAsync(HttpClient client, CancellationToken cancellationToken)
    {
        var stream = await SseCapture.GetAsync(client, "/v1/tts/stream?text=" + Uri.EscapeDataString("A sentence long enough for several chunks of audio."), cancellationToken);
        Assert.Equal("done", stream.EventTypes.Last());
        return stream.Data("audio").First().GetProperty("duration_ms").GetDouble();
    }

    private static async Task WriteEdgeAsync(string path, object defaultChunkMs)
    {
        var document = new Dictionary<string, object>
        {
            ["Edge"] = new Dictionary<string, object> { ["Streaming"] = new Dictionary<string, object> { ["DefaultChunkMs"] = defaultChunkMs } },
        };
        var temporary = path + ".tmp";
        await File.WriteAllTextAsync(temporary, JsonSerializer.Serialize(document));
        File.Move(temporary, path, overwrite: true);
    }

    private static async Task WriteAsync(string path, params (string Id, EmulatorInstance Backend, bool Draining)[] destinations)
    {
        var document = new Dictionary<string, object>
        {
            ["ReverseProxy"] = new Dictionary<string, object>
            {
                ["Clusters"] = new Dictionary<string, object>
                {
                    ["chattts"] = new Dictionary<string, object>
                    {
                        ["Destinations"] = destinations.ToDictionary(d => d.Id, d => new Dictionary<string, object>
                        {
                            ["Address"] = d.Backend.BaseAddress.AbsoluteUri,
                            ["Metadata"] = new Dictionary<string, string>
                            {
                                ["Dialect"] = d.Backend.Dialect,
                                ["Draining"] = d.Draining ? "true" : "false",
                            },
                        }),
                    },
                },
            },
        };

        // Written whole to a temporary file and moved into place, as editors and config tools do.
        var temporary = path + ".tmp";
        await File.WriteAllTextAsync(temporary, JsonSerializer.Serialize(document));
        File.Move(temporary, path, overwrite: true);
    }
}
