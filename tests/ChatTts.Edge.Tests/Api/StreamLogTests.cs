using System.Globalization;
using System.Text.Json;
using ChatTts.Edge.Tests.Infrastructure;
using ChatTts.Emulator;

namespace ChatTts.Edge.Tests.Api;

/// <summary>
/// One structured line per stream, in the JSON console format a log shipper reads, under the request's one id: the
/// client's <c>X-Request-Id</c> when valid.
/// </summary>
public sealed class StreamLogTests
{
    [Fact]
    public async Task JsonConsole_EachStreamEndsWithOneLineNamingKeyBackendAttemptsAndOutcome()
    {
        await using var backend = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("webui"));
        var environment = QuotaSettings.AsEnvironment(QuotaSettings.Alice(requestsPerMinute: 1000, burst: 100));
        environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        environment["Logging__Console__FormatterName"] = "json";
        environment["ReverseProxy__Clusters__chattts__Destinations__gpu0__Address"] = backend.BaseAddress.AbsoluteUri;
        environment["ReverseProxy__Clusters__chattts__Destinations__gpu0__Metadata__Dialect"] = backend.Dialect;
        await using var proxy = await ProxyProcess.StartAsync(environment, CancellationToken.None);
        using var client = new HttpClient { BaseAddress = proxy.Address };

        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/tts/stream?text=hello&api_key=" + QuotaSettings.AliceKey);
        request.Headers.Add("X-Request-Id", "abc-123");
        var streamed = await SseCapture.SendAsync(client, request);
        var requestId = streamed.Single("meta").GetProperty("request_id").GetString();
        Assert.Equal("abc-123", requestId);
        Assert.Equal("abc-123", Assert.Single(streamed.Headers.GetValues("X-Request-Id")));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        JsonElement? line = null;
        while (line is null)
        {
            line = Completions(proxy.Output).Where(l => l.GetProperty("State").GetProperty("RequestId").GetString() == requestId)
                .Select(l => (JsonElement?)l).FirstOrDefault(); // null, not default(JsonElement), while not yet written
            if (line is null)
            {
                await Task.Delay(50, timeout.Token); // the console logger writes in the background
            }
        }

        var state = line.Value.GetProperty("State");
        Assert.Equal("alice", state.GetProperty("KeyId").GetString());
        Assert.Equal("done", state.GetProperty("Outcome").GetString());
        Assert.Equal("gpu0", state.GetProperty("Backend").GetString());
        Assert.Equal(1, state.GetProperty("Attempts").GetInt32());
        Assert.Equal(5, state.GetProperty("Characters").GetInt32());
        Assert.True(state.GetProperty("TtfaMs").GetDouble() > 0);

        // A UTC timestamp, and the scopes: the same request id, and the trace the stream belongs to.
        var timestamp = line.Value.GetProperty("Timestamp").GetString()!;
        Assert.EndsWith("Z", timestamp, StringComparison.Ordinal);
        Assert.True(DateTimeOffset.TryParse(timestamp, CultureInfo.InvariantCulture, DateTimeStyles.None, out var at) && at.Offset == TimeSpan.Zero, timestamp);
        var scopes = line.Value.GetProperty("Scopes").EnumerateArray().ToList();
        Assert.Contains(scopes, s => s.TryGetProperty("RequestId", out var id) && id.GetString() == "abc-123");
        Assert.DoesNotContain(scopes, s => s.TryGetProperty("RequestId", out var id) && id.GetString() != "abc-123");
        Assert.Contains(scopes, s => s.TryGetProperty("TraceId", out var trace) && trace.GetString()!.Length == 32);
        Assert.Contains(scopes, s => s.TryGetProperty("SpanId", out var span) && span.GetString()!.Length == 16);
        Assert.DoesNotContain(QuotaSettings.AliceKey, proxy.Output, StringComparison.Ordinal);
    }

    private static IEnumerable<JsonElement> Completions(string output)
    {
        foreach (var text in output.Split('\n'))
        {
            if (!text.TrimStart().StartsWith('{'))
            {
                continue;
            }

            JsonElement json;
            try
            {
                json = JsonDocument.Parse(text).RootElement.Clone();
            }
            catch (JsonException)
            {
                continue; // not a log entry (the console may interleave other output)
            }

            if (json.TryGetProperty("Category", out var category) && category.GetString() == "ChatTts.Edge.Api.SpeechStreamHandler"
                && json.TryGetProperty("EventId", out var eventId) && eventId.GetInt32() == 1
                && json.TryGetProperty("State", out var state) && state.TryGetProperty("RequestId", out _))
            {
                yield return json;
            }
        }
    }
}
