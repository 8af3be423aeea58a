using System.Net;
using System.Text.Json;
using ChatTts.Edge.Tests.Infrastructure;
using ChatTts.Emulator;

namespace ChatTts.Edge.Tests.Emulator;

/// <summary>The real servers' habits the emulator reproduces: a health check that waits for the GPU, syntheses that
/// compute on after their client left, and requests that run side by side instead of taking turns.</summary>
public sealed class EmulatorBehaviourTests
{
    private const string LongText = "A sentence long enough that its synthesis takes several generation steps of half a second each.";

    [Theory]
    [InlineData("webui", false, false, false)]
    [InlineData("chattts-openai", true, true, false)]
    [InlineData("forge", false, false, true)]
    [InlineData("chattts-ui", false, true, true)]
    public async Task StartAsync_DialectDefaults_AreTheRealServersHabits(string dialect, bool healthBlocks, bool keepsComputing, bool parallel)
    {
        await using var gpu = await EmulatorInstance.StartAsync(EmulatorKit.Instant(dialect));

        Assert.Equal(healthBlocks, gpu.HealthBlocksDuringSynthesis);
        Assert.Equal(keepsComputing, gpu.KeepsComputingAfterDisconnect);
        Assert.Equal(parallel, gpu.RunsInParallel);
    }

    [Theory]
    [InlineData("chattts-openai")]
    [InlineData("chattts-ui")]
    [InlineData("forge")]
    public async Task StartAsync_ConcurrencyAboveOne_KeepsTheGenericStandInUnlessOverridden(string dialect)
    {
        var options = EmulatorKit.Instant(dialect);
        options.Concurrency = 8;
        await using var standIn = await EmulatorInstance.StartAsync(options);
        options.HealthBlocksDuringSynthesis = options.KeepsComputingAfterDisconnect = options.RunsInParallel = true;
        await using var overridden = await EmulatorInstance.StartAsync(options);

        Assert.False(standIn.HealthBlocksDuringSynthesis || standIn.KeepsComputingAfterDisconnect || standIn.RunsInParallel);
        Assert.True(overridden.HealthBlocksDuringSynthesis && overridden.KeepsComputingAfterDisconnect && overridden.RunsInParallel);
    }

    [Fact]
    public async Task Health_ChatTtsOpenAiWhileSynthesizing_IsAnsweredOnlyOnceTheGpuIsFree()
    {
        await using var gpu = await EmulatorInstance.StartAsync(EmulatorKit.Instant("chattts-openai"));
        using var client = EmulatorKit.Client(gpu);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        gpu.Faults.Hold = true; // the synthesis takes the GPU and keeps it until released
        using var synthesis = await client.SendAsync(EmulatorKit.OpenAiSpeech("Hello there."), HttpCompletionOption.ResponseHeadersRead, timeout.Token);

        var health = client.GetAsync("health", timeout.Token);
        var answeredWhileBusy = await Task.WhenAny(health, Task.Delay(TimeSpan.FromMilliseconds(500), timeout.Token)) == health;
        gpu.Faults.Hold = false;
        var audio = await synthesis.Content.ReadAsByteArrayAsync(timeout.Token);
        using var answer = await health;

        Assert.False(answeredWhileBusy);
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("healthy", JsonDocument.Parse(await answer.Content.ReadAsStringAsync(timeout.Token)).RootElement.GetProperty("status").GetString());
        Assert.Equal(44 + gpu.ProducedPcm(gpu.Requests[0]).Length, audio.Length);
    }

    [Theory]
    [InlineData("forge", null)]
    [InlineData("chattts-ui", null)]
    [InlineData("chattts-openai", false)]
    public async Task Health_ServerThatDoesNotBlock_AnswersWhileSynthesizing(string dialect, bool? healthBlocks)
    {
        var options = EmulatorKit.Instant(dialect);
        options.HealthBlocksDuringSynthesis = healthBlocks;
        await using var gpu = await EmulatorInstance.StartAsync(options);
        using var client = EmulatorKit.Client(gpu);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        gpu.Faults.Hold = true;
        var synthesis = client.SendAsync(EmulatorKit.Speech(gpu, "Hello there."), timeout.Token); // completes with the whole body
        await EmulatorKit.UntilAsync(() => gpu.PeakConcurrentSyntheses == 1, timeout.Token);

        using var health = await client.GetAsync(EmulatorKit.HealthPath(dialect), timeout.Token);

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.False(synthesis.IsCompleted); // held on the GPU the whole time
        gpu.Faults.Hold = false;
        using var audio = await synthesis;
        Assert.Equal(HttpStatusCode.OK, audio.StatusCode);
    }

    [Fact]
    public async Task ClientLeaves_ChatTtsOpenAi_ComputesOnHoldingTheGpuAndTheNextRequestWaits()
    {
        var time = new ManualTimeProvider();
        await using var gpu = await EmulatorInstance.StartAsync(EmulatorKit.Paced("chattts-openai", time));
        using var client = EmulatorKit.Client(gpu);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var first = await client.SendAsync(EmulatorKit.OpenAiSpeech(LongText), HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        await (await first.Content.ReadAsStreamAsync(timeout.Token)).ReadExactlyAsync(new byte[45], timeout.Token); // the first step
        var computeTime = EmulatorKit.ComputeTime(gpu.ProducedPcm(gpu.Requests[0]).Length);
        Assert.True(computeTime >= TimeSpan.FromSeconds(2), $"the text is too short: {computeTime}");

        first.Dispose(); // the client leaves after the first step
        await gpu.WaitForAbortAsync(timeout.Token);
        var busyAtAbort = gpu.BusyTime;
        await EmulatorKit.AdvanceWhenArmedAsync(time, TimeSpan.FromSeconds(1), timeout.Token);
        Assert.Equal(busyAtAbort + TimeSpan.FromSeconds(1), gpu.BusyTime); // still computing

        var next = client.SendAsync(EmulatorKit.OpenAiSpeech("Next please."), HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        await EmulatorKit.UntilAsync(() => gpu.RequestCount == 2, timeout.Token);
        Assert.False(next.IsCompleted); // one at a time: it waits behind the abandoned synthesis
        while (!next.IsCompleted)
        {
            await EmulatorKit.UntilAsync(() => time.ArmedTimers > 0 || next.IsCompleted, timeout.Token);
            time.Advance(TimeSpan.FromMilliseconds(500));
            await Task.WhenAny(next, Task.Delay(20, timeout.Token));
        }

        using var nextResponse = await next;
        Assert.True(gpu.BusyTime >= computeTime, $"the GPU was held {gpu.BusyTime}, the synthesis needs {computeTime}");
        Assert.Equal(HttpStatusCode.OK, nextResponse.StatusCode);
        Assert.Equal(1, gpu.AbortedCount);
        Assert.Equal(2, gpu.PeakInFlight);
        Assert.Equal(1, gpu.PeakConcurrentSyntheses);
    }

    [Theory]
    [InlineData("forge", null)]
    [InlineData("chattts-openai", false)]
    public async Task ClientLeaves_ServerThatStops_FreesTheGpuAtOnce(string dialect, bool? keepsComputing)
    {
        var time = new ManualTimeProvider();
        var options = EmulatorKit.Paced(dialect, time);
        options.KeepsComputingAfterDisconnect = keepsComputing;
        await using var gpu = await EmulatorInstance.StartAsync(options);
        using var client = EmulatorKit.Client(gpu);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var first = await client.SendAsync(EmulatorKit.Speech(gpu, LongText), HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        await (await first.Content.ReadAsStreamAsync(timeout.Token)).ReadExactlyAsync(new byte[45], timeout.Token);

        first.Dispose();
        await gpu.WaitForAbortAsync(timeout.Token);
        var busyAtAbort = gpu.BusyTime;
        time.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(busyAtAbort, gpu.BusyTime);
        Assert.Equal(1, gpu.AbortedCount);
    }

    [Fact]
    public async Task ClientLeaves_ChatTtsUi_ComputesOnAndTheNextRequestRunsBesideIt()
    {
        var time = new ManualTimeProvider();
        await using var gpu = await EmulatorInstance.StartAsync(EmulatorKit.Paced("chattts-ui", time));
        using var client = EmulatorKit.Client(gpu);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var leave = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
        var abandoned = client.SendAsync(EmulatorKit.Speech(gpu, LongText), HttpCompletionOption.ResponseHeadersRead, leave.Token);
        await EmulatorKit.UntilAsync(() => time.ArmedTimers > 0, timeout.Token); // computing its whole WAV

        await leave.CancelAsync(); // the client gives up before the WAV is ready
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);
        await gpu.WaitForAbortAsync(timeout.Token);
        var busyAtAbort = gpu.BusyTime;
        await EmulatorKit.AdvanceWhenArmedAsync(time, TimeSpan.FromSeconds(1), timeout.Token);
        Assert.Equal(busyAtAbort + TimeSpan.FromSeconds(1), gpu.BusyTime);

        var next = client.SendAsync(EmulatorKit.Speech(gpu, "Next please."), HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        await EmulatorKit.UntilAsync(() => gpu.PeakConcurrentSyntheses == 2, timeout.Token);

        Assert.Equal(1, gpu.AbortedCount);
        Assert.False(next.IsCompleted);
    }

    [Theory]
    [InlineData("forge", null, 2)]
    [InlineData("chattts-ui", null, 2)]
    [InlineData("forge", false, 1)]
    [InlineData("chattts-openai", null, 1)]
    [InlineData("webui", null, 1)]
    public async Task TwoRequestsAtOnce_ParallelOrSerialServer_OverlapOnlyWhenParallel(string dialect, bool? parallel, int expectedPeak)
    {
        var options = EmulatorKit.Instant(dialect);
        options.RunsInParallel = parallel;
        await using var gpu = await EmulatorInstance.StartAsync(options);
        using var client = EmulatorKit.Client(gpu);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        gpu.Faults.Hold = true;

        var requests = new[]
        {
            client.SendAsync(EmulatorKit.Speech(gpu, "First."), timeout.Token),
            client.SendAsync(EmulatorKit.Speech(gpu, "Second."), timeout.Token),
        };
        await EmulatorKit.UntilAsync(() => gpu.PeakInFlight == 2 && gpu.PeakConcurrentSyntheses >= 1, timeout.Token);
        if (expectedPeak == 2)
        {
            await EmulatorKit.UntilAsync(() => gpu.PeakConcurrentSyntheses == 2, timeout.Token);
        }

        gpu.Faults.Hold = false;
        foreach (var response in await Task.WhenAll(requests))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            response.Dispose();
        }

        Assert.Equal(expectedPeak, gpu.PeakConcurrentSyntheses);
    }

    [Fact]
    public async Task TwoRequestsAtOnce_ParallelServer_ShareTheGpuSoEachStepTakesTwiceAsLong()
    {
        var time = new ManualTimeProvider();
        await using var gpu = await EmulatorInstance.StartAsync(EmulatorKit.Paced("forge", time));
        using var client = EmulatorKit.Client(gpu);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var firstStep = new byte[44 + 24_000];
        using var first = await client.SendAsync(EmulatorKit.Speech(gpu, LongText), HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        await (await first.Content.ReadAsStreamAsync(timeout.Token)).ReadExactlyAsync(firstStep, timeout.Token);
        using var second = await client.SendAsync(EmulatorKit.Speech(gpu, LongText), HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        var secondBody = await second.Content.ReadAsStreamAsync(timeout.Token);
        await secondBody.ReadExactlyAsync(firstStep, timeout.Token);
        await EmulatorKit.UntilAsync(() => time.ArmedTimers == 2, timeout.Token); // both compute their next step

        time.Advance(EmulatorKit.Step); // alone on the GPU, the second's next step would be done now
        var nextStep = secondBody.ReadAsync(new byte[1], timeout.Token).AsTask();
        var arrivedAlone = await Task.WhenAny(nextStep, Task.Delay(TimeSpan.FromMilliseconds(300), timeout.Token)) == nextStep;
        time.Advance(EmulatorKit.Step);

        Assert.Equal(1, await nextStep);
        Assert.False(arrivedAlone, "the step took no longer with two syntheses on the GPU");
        Assert.Equal(2, gpu.PeakConcurrentSyntheses);
    }

    [Fact]
    public async Task TwoRequestsAtOnce_ConcurrencyTwo_ShowTwoConcurrentSyntheses()
    {
        var options = EmulatorKit.Instant("webui");
        options.Concurrency = 2;
        await using var gpu = await EmulatorInstance.StartAsync(options);
        using var client = EmulatorKit.Client(gpu);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        gpu.Faults.Hold = true;

        var first = client.SendAsync(EmulatorKit.Speech(gpu, "First."), timeout.Token);
        var second = client.SendAsync(EmulatorKit.Speech(gpu, "Second."), timeout.Token);
        await EmulatorKit.UntilAsync(() => gpu.PeakConcurrentSyntheses == 2, timeout.Token);
        gpu.Faults.Hold = false;
        (await first).Dispose();
        (await second).Dispose();

        Assert.Equal(2, gpu.PeakConcurrentSyntheses);
    }
}
