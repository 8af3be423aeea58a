using System.Diagnostics;
using System.Net;
using System.Net.ServerSentEvents;
using System.Text.Json;
using ChatTts.Edge.Tests.Infrastructure;
using ChatTts.Emulator;

namespace ChatTts.Edge.Tests.Integration;

/// <summary>
/// Several edge processes in front of the same GPUs, sharing one redis-server (<c>Edge:Admission:Store=Redis</c>): a GPU
/// never runs more syntheses than its cap whichever replica sends them, and the queue is one queue. They run alone: they
/// time how fast replicas hear each other, which other tests' load on two cores would only blur.
/// </summary>
[Collection(FleetAlone.Name)]
public sealed class FleetAdmissionTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Replicas_TwentyStreamsOnOneGpu_OneSynthesisAtATime_ByteExact_OneQueueWithFleetWidePlaces(int replicas)
    {
        await using var redis = await RedisServer.StartAsync();

        // Speech-AI-Forge runs every request it gets at once, beside the others: any overlap shows.
        await using var gpu = await EmulatorInstance.StartAsync(EmulatorPresets.Paced("forge", realTimeFactor: 0.02, firstChunkMs: 20));
        Assert.True(gpu.RunsInParallel);
        var proxies = new List<ProxyProcess>();
        try
        {
            for (var i = 0; i < replicas; i++)
            {
                proxies.Add(await ProxyProcess.StartAsync(Environment(gpu, redis), CancellationToken.None));
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            var clock = Stopwatch.StartNew();
            foreach (var proxy in proxies)
            {
                Assert.Equal("done", (await TimedStream.GetAsync(proxy.Address, "Warming up.", clock, timeout.Token)).Events[^1].Type);
            }

            var streams = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
                TimedStream.GetAsync(proxies[i % replicas].Address, $"Sentence number {i} of twenty.", clock, timeout.Token)));

            Assert.Equal(1, gpu.PeakConcurrentSyntheses);
            foreach (var stream in streams)
            {
                Assert.Equal(HttpStatusCode.OK, stream.Status);
                Assert.Equal("done", stream.Events[^1].Type);
                Assert.Equal(gpu.ProducedPcm(Assert.Single(gpu.Requests, r => r.Text == stream.Text)), stream.AudioPcm());
                var places = stream.Places();
                Assert.True(places.Zip(places.Skip(1)).All(p => p.Second < p.First), $"places only go down: {string.Join(", ", places)}");
            }

            // One GPU at a time for twenty requests arriving together: most waited, each at its own place in one queue.
            Assert.True(streams.Count(s => s.Places().Count > 0) >= 10, "most requests waited in the queue");
            TimedStream.AssertPlacesDistinctAtEveryInstant(streams);
        }
        finally
        {
            foreach (var proxy in proxies)
            {
                await proxy.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task ReplicaKilledWhileHoldingTheGpu_TheSlotComesBackWithinTheLease_AndTheNextStreamGetsAudio()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var gpu = await EmulatorInstance.StartAsync(EmulatorPresets.Paced("forge", realTimeFactor: 1.0, firstChunkMs: 10));
        var environment = Environment(gpu, redis);
        environment["Edge__Admission__SlotLease"] = "00:00:03";
        environment["Edge__Admission__MaxQueueWait"] = "00:00:20";
        await using var survivor = await ProxyProcess.StartAsync(environment, CancellationToken.None);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var clock = Stopwatch.StartNew();
        var longText = "A long sentence that keeps the only GPU busy for several seconds on the replica about to die.";

        await using (var doomed = await ProxyProcess.StartAsync(environment, CancellationToken.None))
        {
            using var client = new HttpClient { BaseAddress = doomed.Address };
            using var open = await client.GetAsync("/v1/tts/stream?text=" + Uri.EscapeDataString(longText), HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            using var reader = new StreamReader(await open.Content.ReadAsStreamAsync(timeout.Token));
            Assert.Equal("retry: 1000", await reader.ReadLineAsync(timeout.Token));
            Assert.Equal("", await reader.ReadLineAsync(timeout.Token));
            Assert.Equal("event: meta", await reader.ReadLineAsync(timeout.Token)); // it holds the GPU's one slot
            await doomed.DisposeAsync(); // killed (SIGKILL): it never gives the slot back, nor renews it
        }

        var killedAt = clock.Elapsed;
        var next = await TimedStream.GetAsync(survivor.Address, "The next request.", clock, timeout.Token);

        Assert.Equal(HttpStatusCode.OK, next.Status);
        Assert.Equal("done", next.Events[^1].Type);
        Assert.NotEmpty(next.Places()); // it waited for the dead replica's slot
        Assert.Equal(gpu.ProducedPcm(gpu.Requests[^1]), next.AudioPcm());
        Assert.True(next.Events.First(e => e.Type == "meta").At - killedAt < TimeSpan.FromSeconds(15), "the slot came back within its lease");
    }

    [Fact]
    public async Task RedisStopped_EachReplicaUsesItsShareOfTheGpu_ThenTheFleetsCountAgainOnceRedisIsBack()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var gpu = await EmulatorInstance.StartAsync(EmulatorPresets.Paced("forge", realTimeFactor: 0.05, firstChunkMs: 20));
        var environment = Environment(gpu, redis);
        environment["ReverseProxy__Clusters__chattts__Destinations__gpu0__Metadata__MaxConcurrency"] = "2";
        environment["Edge__Admission__FailureMode"] = "LocalShare";
        environment["Edge__Admission__LocalShare"] = "0.5";
        await using var first = await ProxyProcess.StartAsync(environment, CancellationToken.None);
        await using var second = await ProxyProcess.StartAsync(environment, CancellationToken.None);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var clock = Stopwatch.StartNew();

        await redis.StopAsync();
        var duringOutage = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            TimedStream.GetAsync((i % 2 == 0 ? first : second).Address, $"Said while Redis is down, number {i}.", clock, timeout.Token)));

        Assert.All(duringOutage, s => Assert.Equal("done", s.Events[^1].Type));
        Assert.Equal(2, gpu.PeakConcurrentSyntheses); // one each: never above the GPU's cap of two

        // Back: one replica may use both slots again, so two requests sent to it together both start at once.
        await redis.StartAgainAsync();
        IReadOnlyList<TimedStream> together;
        do
        {
            await Task.Delay(200, timeout.Token);
            together = await Task.WhenAll(Enumerable.Range(0, 2).Select(i => TimedStream.GetAsync(first.Address, $"Together, number {i}.", clock, timeout.Token)));
        }
        while (together.Any(s => s.Places().Count > 0)); // the first attempts may still find Redis out of reach

        Assert.All(together, s => Assert.Equal("done", s.Events[^1].Type));
        Assert.Equal(2, gpu.PeakConcurrentSyntheses);
    }

    [Fact]
    public async Task RedisStopped_FailureModeUnavailable_Is503WithRetryAfter()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var gpu = await EmulatorInstance.StartAsync(EmulatorPresets.Fast("webui"));
        var environment = Environment(gpu, redis);
        environment["Edge__Admission__FailureMode"] = "Unavailable";
        await using var proxy = await ProxyProcess.StartAsync(environment, CancellationToken.None);
        using var client = new HttpClient { BaseAddress = proxy.Address };
        Assert.Equal("done", (await SseCapture.GetAsync(client, "/v1/tts/stream?text=before")).EventTypes.Last());

        await redis.StopAsync();
        using var refused = await client.GetAsync("/v1/tts/stream?text=during");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.Contains("slots", JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.GetProperty("title").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(1, gpu.RequestCount);
    }

    private static Dictionary<string, string> Environment(EmulatorInstance gpu, RedisServer redis)
    {
        var environment = QuotaSettings.AsEnvironment(QuotaSettings.UnlimitedAnonymous().ToDictionary(s => s.Key, s => (string?)s.Value));
        environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        environment["ReverseProxy__Clusters__chattts__Destinations__gpu0__Address"] = gpu.BaseAddress.AbsoluteUri;
        environment["ReverseProxy__Clusters__chattts__Destinations__gpu0__Metadata__Dialect"] = gpu.Dialect;
        environment["Edge__Admission__Store"] = "Redis";
        environment["Edge__Redis__Configuration"] = redis.Configuration;
        return environment;
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FleetAlone
{
    public const string Name = "Fleet";
}

/// <summary>One stream read as it arrives, each event with the time its client read it.</summary>
internal sealed record TimedStream(string Text, HttpStatusCode Status, IReadOnlyList<(string Type, string Data, TimeSpan At)> Events)
{
    /// <summary>
    /// How long two clients may show the same place: a newcomer hears its place at once, while the one it replaced hears
    /// of moving up when its replica has heard the fleet's news, milliseconds later on a quiet machine (the test runs
    /// three proxies, Redis, an emulator and twenty clients on two cores). Queues counted per replica clash for seconds.
    /// </summary>
    private static readonly TimeSpan ReadingSlack = TimeSpan.FromMilliseconds(500);

    public static async Task<TimedStream> GetAsync(Uri proxy, string text, Stopwatch clock, CancellationToken cancellationToken)
    {
        using var client = new HttpClient { BaseAddress = proxy, Timeout = Timeout.InfiniteTimeSpan };
        using var response = await client.GetAsync("/v1/tts/stream?text=" + Uri.EscapeDataString(text), HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        var events = new List<(string, string, TimeSpan)>();
        if (response.StatusCode == HttpStatusCode.OK)
        {
            await foreach (var item in SseParser.Create(await response.Content.ReadAsStreamAsync(cancellationToken)).EnumerateAsync(cancellationToken))
            {
                events.Add((item.EventType, item.Data, clock.Elapsed));
            }
        }

        return new TimedStream(text, response.StatusCode, events);
    }

    /// <summary>The places its <c>queued</c> events gave, in order.</summary>
    public IReadOnlyList<int> Places() =>
        [.. Events.Where(e => e.Type == "queued").Select(e => JsonDocument.Parse(e.Data).RootElement.GetProperty("position").GetInt32())];

    public byte[] AudioPcm() =>
        [.. Events.Where(e => e.Type == "audio").SelectMany(e => WavAssert.IsStandalone(JsonDocument.Parse(e.Data).RootElement.GetProperty("audio").GetBytesFromBase64()))];

    /// <summary>
    /// Replays every client's <c>queued</c> events in the order they were read: no two waiting clients ever stood at
    /// the same place for longer than <see cref="ReadingSlack"/> (a client waits from its first <c>queued</c> event to
    /// its first other event).
    /// </summary>
    public static void AssertPlacesDistinctAtEveryInstant(IReadOnlyList<TimedStream> streams)
    {
        var changes = streams.SelectMany((s, client) => s.Events
                .Select(e => (Client: client, e.At, Place: e.Type == "queued" ? JsonDocument.Parse(e.Data).RootElement.GetProperty("position").GetInt32() : 0)))
            .OrderBy(c => c.At)
            .ToList();
        var standing = new Dictionary<int, int>();
        var clashSince = (TimeSpan?)null;
        foreach (var change in changes)
        {
            if (change.Place > 0)
            {
                standing[change.Client] = change.Place;
            }
            else
            {
                standing.Remove(change.Client);
            }

            var clash = standing.Values.GroupBy(p => p).FirstOrDefault(g => g.Count() > 1);
            if (clash is null)
            {
                clashSince = null;
                continue;
            }

            clashSince ??= change.At;
            Assert.True(change.At - clashSince < ReadingSlack, $"two waiting clients stood at place {clash.Key} from {clashSince} to {change.At}");
        }
    }
}
