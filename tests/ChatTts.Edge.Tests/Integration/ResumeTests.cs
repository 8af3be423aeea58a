using System.Net;
using System.Net.ServerSentEvents;
using System.Text.Json;
using ChatTts.Edge.Tests.Infrastructure;
using ChatTts.Emulator;

namespace ChatTts.Edge.Tests.Integration;

/// <summary>
/// Resumable streams with real processes: a client cut off mid-stream comes back with its last audio event's id
/// (<c>Last-Event-ID</c>) to the same replica or another (sharing one redis-server) and hears the rest, byte-exact,
/// without a second synthesis or charge; nobody else can.
/// </summary>
public sealed class ResumeTests
{
    private const string BobKey = "bob-secret-key-0002";
    private const string Text = "A sentence long enough that its audio spans many chunks, so a blip can land in the middle of it.";
    private static readonly string Path = "/v1/tts/stream?chunk_ms=100&split=false&seed=7&text=" + Uri.EscapeDataString(Text);

    [Fact]
    public async Task Resume_OnAnotherReplicaAfterFiveAudioEvents_SendsTheRestByteExactWithOneSynthesisAndOneCharge()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var backend = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("webui"));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var environment = Environment(backend, redis.Configuration);
        await using var replicas = await Replicas.StartAsync(environment, timeout.Token);
        var (toFirst, toSecond) = (replicas.ToFirst, replicas.ToSecond);

        var cut = await ReadAndCutAsync(toFirst, QuotaSettings.AliceKey, audioEvents: 5, timeout.Token);
        var rest = await ResumeAsync(toSecond, QuotaSettings.AliceKey, LastAudioId(cut), timeout.Token);

        AssertContinues(cut, rest, backend);
        Assert.Equal(Text.Length, await CharactersUsedAsync(toSecond, timeout.Token));
    }

    [Fact]
    public async Task Resume_WhileTheSynthesisStillRuns_TailsTheFirstReplicasLiveEventsAndKeepsItsSynthesisPastTheGrace()
    {
        await using var redis = await RedisServer.StartAsync();
        // Real time: the synthesis runs for some 6 s, far beyond the cut (0.5 s of audio) and the 2 s grace period, so
        // it reaches its end only because the resume attached to it.
        await using var backend = await EmulatorInstance.StartAsync(EmulatorPresets.Paced("webui", realTimeFactor: 1.0, firstChunkMs: 10));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var environment = Environment(backend, redis.Configuration);
        environment["Edge__Resume__Grace"] = "00:00:02";
        await using var replicas = await Replicas.StartAsync(environment, timeout.Token);
        var (toFirst, toSecond) = (replicas.ToFirst, replicas.ToSecond);

        var cut = await ReadAndCutAsync(toFirst, QuotaSettings.AliceKey, audioEvents: 5, timeout.Token);
        var rest = await ResumeAsync(toSecond, QuotaSettings.AliceKey, LastAudioId(cut), timeout.Token);

        AssertContinues(cut, rest, backend);
        Assert.Equal(0, backend.AbortedCount); // never cancelled: the original replica synthesized on for the resumed client
        Assert.Equal(Text.Length, await CharactersUsedAsync(toFirst, timeout.Token));
    }

    [Fact]
    public async Task Resume_WithAnotherCallersKeyOrAnotherText_StartsAFreshStreamWithResumedFromNull()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var backend = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("webui"));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var environment = Environment(backend, redis.Configuration);
        await using var replicas = await Replicas.StartAsync(environment, timeout.Token);
        var (toFirst, toSecond) = (replicas.ToFirst, replicas.ToSecond);

        var cut = await ReadAndCutAsync(toFirst, QuotaSettings.AliceKey, audioEvents: 5, timeout.Token);
        var stolen = await ResumeAsync(toSecond, BobKey, LastAudioId(cut), timeout.Token);
        var otherText = await ResumeAsync(toSecond, QuotaSettings.AliceKey, LastAudioId(cut), timeout.Token, path: Path.Replace("seed=7", "seed=8", StringComparison.Ordinal));

        foreach (var fresh in new[] { stolen, otherText })
        {
            var meta = fresh.Single("meta");
            Assert.Equal(JsonValueKind.Null, meta.GetProperty("resumed_from").ValueKind);
            Assert.NotEqual(cut.Meta.GetProperty("request_id").GetString(), meta.GetProperty("request_id").GetString());
            Assert.Equal(0, fresh.Data("audio").First().GetProperty("seq").GetInt64());
            Assert.DoesNotContain(fresh.Events, e => e.EventId?.StartsWith(LastAudioId(cut)[..33], StringComparison.Ordinal) == true);
            Assert.Equal("done", fresh.EventTypes.Last());
        }

        Assert.Equal(3, backend.Requests.Count); // each was synthesized anew…
        Assert.Equal(backend.ProducedPcm(backend.Requests[1]), stolen.AudioPcm()); // …and Bob heard his own synthesis
    }

    [Fact]
    public async Task Resume_MemoryStoreOnOneProcess_SendsTheRestByteExactWithOneSynthesis()
    {
        await using var backend = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("forge"));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var proxy = await ProxyProcess.StartAsync(Environment(backend, redis: null), timeout.Token);
        using var client = new HttpClient { BaseAddress = proxy.Address };

        var cut = await ReadAndCutAsync(client, QuotaSettings.AliceKey, audioEvents: 5, timeout.Token);
        var rest = await ResumeAsync(client, QuotaSettings.AliceKey, LastAudioId(cut), timeout.Token, query: true);

        AssertContinues(cut, rest, backend);
        Assert.Equal(Text.Length, await CharactersUsedAsync(client, timeout.Token));
    }

    [Fact]
    public async Task ClientGone_NobodyResumesWithinTheGrace_BackendCallIsCancelledAndTheStreamCannotBeResumed()
    {
        await using var backend = await EmulatorInstance.StartAsync(EmulatorPresets.Paced("forge", realTimeFactor: 1.0, firstChunkMs: 10));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var environment = Environment(backend, redis: null);
        environment["Edge__Resume__Grace"] = "00:00:01";
        await using var proxy = await ProxyProcess.StartAsync(environment, timeout.Token);
        using var client = new HttpClient { BaseAddress = proxy.Address };
        var path = "/v1/tts/stream?chunk_ms=100&split=false&text=" + Uri.EscapeDataString(string.Concat(Enumerable.Repeat("A long text keeps the GPU busy. ", 10)));

        var cut = await ReadAndCutAsync(client, QuotaSettings.AliceKey, audioEvents: 1, timeout.Token, path);
        await backend.WaitForAbortAsync(timeout.Token); // forge stops when its client leaves: the edge cut the call

        var late = await ResumeAsync(client, QuotaSettings.AliceKey, LastAudioId(cut), timeout.Token, path: path);
        Assert.Equal(JsonValueKind.Null, late.Single("meta").GetProperty("resumed_from").ValueKind); // given up: it starts over
        Assert.Equal(2, backend.Requests.Count);
    }

    [Fact]
    public async Task FrozenRedis_TheLiveStreamPlaysOnToDone_AndAResumeStartsOverWithoutHanging()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var backend = await EmulatorInstance.StartAsync(EmulatorPresets.Paced("webui", realTimeFactor: 1.0, firstChunkMs: 10));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var environment = Environment(backend, redis.Configuration);
        await using var replicas = await Replicas.StartAsync(environment, timeout.Token);
        var (toFirst, toSecond) = (replicas.ToFirst, replicas.ToSecond);

        using var request = new HttpRequestMessage(HttpMethod.Get, Path);
        request.Headers.Add("X-Api-Key", QuotaSettings.AliceKey);
        var live = SseCapture.SendAsync(toFirst, request, timeout.Token);
        while (backend.Requests.Count == 0)
        {
            await Task.Delay(20, timeout.Token);
        }

        await redis.FreezeAsync(); // mid-stream: the journal's writes time out from now on
        try
        {
            var played = await live;
            Assert.Equal("done", played.EventTypes.Last()); // a failed journal never fails the stream…
            Assert.Equal(backend.ProducedPcm(backend.Requests[0]), played.AudioPcm());

            var resumed = await ResumeAsync(toSecond, QuotaSettings.AliceKey, played.Events.First(e => e.EventType == "audio").EventId!, timeout.Token);
            Assert.Equal(JsonValueKind.Null, resumed.Single("meta").GetProperty("resumed_from").ValueKind); // …it only cannot be resumed
            Assert.Equal("done", resumed.EventTypes.Last());
        }
        finally
        {
            await redis.ThawAsync();
        }
    }

    private static void AssertContinues(Cut cut, SseCapture rest, EmulatorInstance backend)
    {
        Assert.Equal(HttpStatusCode.OK, rest.Status);
        Assert.StartsWith("retry: 1000\n\n", rest.Body, StringComparison.Ordinal);
        var meta = rest.Single("meta");
        Assert.Equal(cut.Meta.GetProperty("request_id").GetString(), meta.GetProperty("request_id").GetString());
        Assert.Equal(LastAudioId(cut), meta.GetProperty("resumed_from").GetString());
        var seqs = rest.Data("audio").Select(a => a.GetProperty("seq").GetInt64()).ToList();
        Assert.Equal(Enumerable.Range(5, seqs.Count).Select(i => (long)i), seqs);
        Assert.All(rest.Events.Where(e => e.EventType == "audio"), e => Assert.StartsWith(LastAudioId(cut)[..33], e.EventId, StringComparison.Ordinal));
        Assert.Equal("done", rest.EventTypes.Last());
        Assert.Equal(seqs.Count + 5, rest.Single("done").GetProperty("chunks").GetInt64());

        var heard = cut.Events.Where(e => e.EventType == "audio")
            .SelectMany(e => WavAssert.IsStandalone(JsonDocument.Parse(e.Data).RootElement.GetProperty("audio").GetBytesFromBase64()))
            .Concat(rest.AudioPcm()).ToArray();
        Assert.Equal(backend.ProducedPcm(Assert.Single(backend.Requests)), heard);
    }

    /// <summary>Reads the stream until <paramref name="audioEvents"/> audio events came, then drops the connection.</summary>
    private static async Task<Cut> ReadAndCutAsync(HttpClient client, string key, int audioEvents, CancellationToken cancellationToken, string? path = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path ?? Path);
        request.Headers.Add("X-Api-Key", key);
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        var events = new List<SseItem<string>>();
        await foreach (var item in SseParser.Create(body).EnumerateAsync(cancellationToken))
        {
            events.Add(item);
            if (events.Count(e => e.EventType == "audio") == audioEvents)
            {
                break;
            }
        }

        return new Cut(events); // disposing the response mid-body drops the connection, as a network blip does
    }

    private static async Task<SseCapture> ResumeAsync(HttpClient client, string key, string lastEventId, CancellationToken cancellationToken, string? path = null, bool query = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, query ? (path ?? Path) + "&last_event_id=" + Uri.EscapeDataString(lastEventId) : path ?? Path);
        request.Headers.Add("X-Api-Key", key);
        if (!query)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        return await SseCapture.SendAsync(client, request, cancellationToken);
    }

    private static string LastAudioId(Cut cut) => cut.Events.Last(e => e.EventType == "audio").EventId!;

    private static async Task<long> CharactersUsedAsync(HttpClient client, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/usage");
        request.Headers.Add("X-Api-Key", QuotaSettings.AliceKey);
        using var response = await client.SendAsync(request, cancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken)).RootElement.GetProperty("characters").GetProperty("used").GetInt64();
    }

    private static Dictionary<string, string> Environment(EmulatorInstance backend, string? redis)
    {
        var settings = QuotaSettings.Alice(redis, charactersPerDay: 1_000_000);
        foreach (var (name, value) in QuotaSettings.Key("bob", BobKey, "test"))
        {
            settings[name] = value;
        }

        var environment = QuotaSettings.AsEnvironment(settings);
        environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        environment["Edge__Cache__Enabled"] = "false"; // every fresh stream here is a synthesis, never a replay of an earlier one
        environment["ReverseProxy__Clusters__chattts__Destinations__gpu0__Address"] = backend.BaseAddress.AbsoluteUri;
        environment["ReverseProxy__Clusters__chattts__Destinations__gpu0__Metadata__Dialect"] = backend.Dialect;
        return environment;
    }

    /// <summary>Two proxy processes with the same settings (sharing the test's Redis), and a client for each.</summary>
    private sealed class Replicas : IAsyncDisposable
    {
        private readonly ProxyProcess _first;
        private readonly ProxyProcess _second;

        private Replicas(ProxyProcess first, ProxyProcess second)
        {
            (_first, _second) = (first, second);
            ToFirst = new HttpClient { BaseAddress = first.Address };
            ToSecond = new HttpClient { BaseAddress = second.Address };
        }

        public HttpClient ToFirst { get; }

        public HttpClient ToSecond { get; }

        public static async Task<Replicas> StartAsync(Dictionary<string, string> environment, CancellationToken cancellationToken)
        {
            var first = await ProxyProcess.StartAsync(environment, cancellationToken);
            try
            {
                return new Replicas(first, await ProxyProcess.StartAsync(environment, cancellationToken));
            }
            catch
            {
                await first.DisposeAsync();
                throw;
            }
        }

        public async ValueTask DisposeAsync()
        {
            ToFirst.Dispose();
            ToSecond.Dispose();
            await _second.DisposeAsync();
            await _first.DisposeAsync();
        }
    }

    private sealed record Cut(List<SseItem<string>> Events)
    {
        public JsonElement Meta => JsonDocument.Parse(Events.First(e => e.EventType == "meta").Data).RootElement;
    }
}
