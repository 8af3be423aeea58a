using System.Collections.Frozen;
using ChatTts.Edge.Admission;
using ChatTts.Edge.Backends;
using ChatTts.Edge.Backends.Dialects;
using ChatTts.Edge.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using AdmissionResult = ChatTts.Edge.Admission.Admission;

namespace ChatTts.Edge.Tests.Admission;

/// <summary>The admission queue over GPU slots the test hands out and frees, with a clock that moves only when told.</summary>
public sealed class AdmissionQueueTests : IDisposable
{
    private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(30);

    private readonly ManualTimeProvider _time = new();
    private readonly FakeGpuSlots _slots;
    private readonly AdmissionOptions _options = new();
    private readonly StoppableLifetime _lifetime = new();
    private readonly AdmissionQueue _queue;

    public AdmissionQueueTests()
    {
        _slots = new FakeGpuSlots(_time);
        _queue = new AdmissionQueue(_slots, new DrainRate(_time), _time, new FixedOptionsMonitor<AdmissionOptions>(_options), _lifetime, NullLogger<AdmissionQueue>.Instance);
    }

    public void Dispose()
    {
        _queue.Dispose();
        _lifetime.Dispose();
    }

    [Fact]
    public async Task AdmitAsync_ThreeWaitForOneBusyGpu_GetTheSlotInArrivalOrder()
    {
        _slots.Add("gpu1");
        var running = await GrantedAsync(Admit(New()));

        var first = Admit(New("first"));
        var second = Admit(New("second"));
        var third = Admit(New("third"));
        Assert.Equal(3, _queue.Length);

        running.Dispose();
        var firstLease = await GrantedAsync(first);
        Assert.False(second.IsCompleted);
        Assert.False(third.IsCompleted);
        Assert.Equal(2, _queue.Length);

        firstLease.Dispose();
        var secondLease = await GrantedAsync(second);
        Assert.False(third.IsCompleted);

        secondLease.Dispose();
        var thirdLease = await GrantedAsync(third);
        Assert.Equal("gpu1", thirdLease.DestinationId);
        Assert.Equal(0, _queue.Length);
        Assert.Equal(1, _slots.InUse("gpu1"));
    }

    [Fact]
    public async Task AdmitAsync_RetryArrivesWhenTheQueueIsFull_WaitsAheadOfTheNewRequestInsteadOfBeingRefused()
    {
        _options.MaxQueueLength = 1;
        _slots.Add("gpu1");
        _slots.Add("gpu2");
        var onGpu1 = await GrantedAsync(Admit(New()));
        var onGpu2 = await GrantedAsync(Admit(New()));
        var waitingObserver = new RecordingQueueObserver();
        var waiting = _queue.AdmitAsync(New("came first"), waitingObserver, CancellationToken.None);

        // The request failed on gpu1 and goes elsewhere: it has waited already, so it goes first.
        var retryObserver = new RecordingQueueObserver();
        var retry = _queue.AdmitAsync(Retry(exclude: "gpu1"), retryObserver, CancellationToken.None);
        Assert.False(retry.IsCompleted);
        Assert.Equal(2, _queue.Length);
        Assert.Equal([1], retryObserver.Positions);

        onGpu2.Dispose();
        Assert.Equal("gpu2", (await GrantedAsync(retry)).DestinationId);
        Assert.False(waiting.IsCompleted);

        onGpu1.Dispose();
        Assert.Equal("gpu1", (await GrantedAsync(waiting)).DestinationId);

        // Pushed back to second place and up again: its client only ever heard "first".
        Assert.Equal([1], waitingObserver.Positions);
    }

    [Fact]
    public async Task AdmitAsync_AWaiterCancels_LeavesAndThoseBehindMoveUp()
    {
        _slots.Add("gpu1");
        var running = await GrantedAsync(Admit(New()));
        var front = new RecordingQueueObserver();
        var last = new RecordingQueueObserver();
        using var leaving = new CancellationTokenSource();
        var first = _queue.AdmitAsync(New("first"), front, CancellationToken.None);
        var middle = _queue.AdmitAsync(New("middle"), new RecordingQueueObserver(), leaving.Token);
        var third = _queue.AdmitAsync(New("third"), last, CancellationToken.None);

        await leaving.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => middle);
        Assert.Equal(2, _queue.Length);
        await last.HeardAsync(2);

        running.Dispose();
        var firstLease = await GrantedAsync(first);
        await last.HeardAsync(1);

        firstLease.Dispose();
        await GrantedAsync(third);

        // One GPU at the assumed 2 s a synthesis: each place is 2 s of waiting.
        Assert.Equal(
            [new QueueNotice(3, TimeSpan.FromSeconds(6)), new QueueNotice(2, TimeSpan.FromSeconds(4)), new QueueNotice(1, TimeSpan.FromSeconds(2))],
            last.Notices);
        Assert.Equal([1], front.Positions);
        Assert.Equal(1, _slots.InUse("gpu1"));
    }

    [Fact]
    public async Task AdmitAsync_NoSlotFreesWithinMaxWait_IsRefusedAsTimeoutWithRetryAfter()
    {
        _slots.Add("gpu1");
        var running = await GrantedAsync(Admit(New()));
        var waiting = Admit(New() with { MaxWait = TimeSpan.FromSeconds(10) });

        _time.Advance(TimeSpan.FromSeconds(9.9));
        Assert.False(waiting.IsCompleted);

        _time.Advance(TimeSpan.FromSeconds(0.2));
        var refused = await waiting.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Null(refused.Lease);
        Assert.Equal(AdmissionRefusal.Timeout, refused.Refusal);
        Assert.Equal(TimeSpan.FromSeconds(2), refused.RetryAfter); // one GPU at the assumed 2 s a synthesis
        Assert.Equal(0, _queue.Length);

        // The slot it waited for goes to whoever comes next, not to the request that left.
        running.Dispose();
        Assert.Equal(0, _slots.InUse("gpu1"));
        await GrantedAsync(Admit(New()));
    }

    [Fact]
    public async Task AdmitAsync_QueueIsFull_RefusesANewRequestAtOnceWithRetryAfter()
    {
        _options.MaxQueueLength = 1;
        _slots.Add("gpu1");
        _slots.Add("gpu2");
        await GrantedAsync(Admit(New()));
        await GrantedAsync(Admit(New()));
        var waiting = Admit(New());

        var refusal = Admit(New());

        Assert.True(refusal.IsCompleted); // at once: the client gets its 503 without waiting
        var refused = await refusal;
        Assert.Null(refused.Lease);
        Assert.Equal(AdmissionRefusal.QueueFull, refused.Refusal);
        Assert.Equal(TimeSpan.FromSeconds(2), refused.RetryAfter); // second place, two GPUs at 2 s a synthesis
        Assert.Equal(1, _queue.Length);
        Assert.False(waiting.IsCompleted);
    }

    [Fact]
    public async Task AdmitAsync_WaiterOnlyABusyGpuCanServe_DoesNotHoldUpTheOneBehindIt()
    {
        _slots.Add("openai", new ChatTtsOpenAiDialect());
        _slots.Add("webui", new WebUiDialect());
        var onOpenAi = await GrantedAsync(Admit(New()));
        var onWebUi = await GrantedAsync(Admit(New()));
        var alloy = Admit(New() with { Speech = new BackendRequest("Only chattts-openai has this voice.", Voice: "alloy") });
        var plain = Admit(New("Any GPU will do."));

        onWebUi.Dispose();
        Assert.Equal("webui", (await GrantedAsync(plain)).DestinationId);
        Assert.False(alloy.IsCompleted);

        onOpenAi.Dispose();
        Assert.Equal("openai", (await GrantedAsync(alloy)).DestinationId);
    }

    [Fact]
    public async Task AdmitAsync_OnlyRequestsForABusyGpuWait_NewcomerTakesAFreeSlotTheyCannotUse()
    {
        _slots.Add("openai", new ChatTtsOpenAiDialect());
        _slots.Add("webui", new WebUiDialect());
        await GrantedAsync(Admit(New()));
        var onWebUi = await GrantedAsync(Admit(New()));
        var alloy = Admit(New() with { Speech = new BackendRequest("Only chattts-openai has this voice.", Voice: "alloy") });
        onWebUi.Dispose();

        var newcomer = Admit(New("Any GPU will do."));

        Assert.True(newcomer.IsCompleted);
        Assert.Equal("webui", (await GrantedAsync(newcomer)).DestinationId);
        Assert.False(alloy.IsCompleted);
    }

    [Fact]
    public async Task AdmitAsync_NoGpuCouldServeIt_IsRefusedAtOnceAsNoBackend()
    {
        var nothingConfigured = await Admit(New());
        _slots.Add("webui", new WebUiDialect());
        var voiceNobodyHas = await Admit(New() with { Speech = new BackendRequest("A voice webui servers lack.", Voice: "alloy") });

        Assert.Equal(new AdmissionResult(null, AdmissionRefusal.NoBackend, TimeSpan.FromSeconds(1)), nothingConfigured);
        Assert.Equal(new AdmissionResult(null, AdmissionRefusal.NoBackend, TimeSpan.FromSeconds(1)), voiceNobodyHas);
        Assert.Equal(0, _queue.Length);
    }

    [Fact]
    public async Task AdmitAsync_HostStartsStopping_RefusesNewRequestsButServesTheWaitingOnes()
    {
        _slots.Add("gpu1");
        var running = await GrantedAsync(Admit(New()));
        var waiting = Admit(New());

        _lifetime.StopApplication();
        var refusal = Admit(New());

        Assert.True(refusal.IsCompleted);
        Assert.Equal(new AdmissionResult(null, AdmissionRefusal.ShuttingDown, TimeSpan.FromSeconds(1)), await refusal);
        running.Dispose();
        Assert.Equal("gpu1", (await GrantedAsync(waiting)).DestinationId);
    }

    [Fact]
    public async Task AdmitAsync_LaterSegmentsOfALongTextWait_NewRequestsAndRetriesGoAheadOfThemInArrivalOrder()
    {
        _slots.Add("gpu1");
        var running = await GrantedAsync(Admit(New()));
        var segment1 = Admit(Continuation("segment 1"));
        var segment2 = Admit(Continuation("segment 2"));

        // Another caller's short request arrives after the long text's later segments were queued: it goes ahead of them.
        var shortObserver = new RecordingQueueObserver();
        var shortRequest = _queue.AdmitAsync(New("another caller"), shortObserver, CancellationToken.None);
        var retry = Admit(Retry(exclude: "gpu2"));
        Assert.Equal(4, _queue.Length);

        // The order the slots go in: the retry, the new request, then the segments in their order.
        running.Dispose();
        var retryLease = await GrantedAsync(retry);
        Assert.False(shortRequest.IsCompleted);
        retryLease.Dispose();
        var shortLease = await GrantedAsync(shortRequest);
        Assert.False(segment1.IsCompleted);
        Assert.Equal([1], shortObserver.Positions); // first in line when it came; only the retry went ahead of it
        shortLease.Dispose();
        var segment1Lease = await GrantedAsync(segment1);
        Assert.False(segment2.IsCompleted);
        segment1Lease.Dispose();
        (await GrantedAsync(segment2)).Dispose();
    }

    [Fact]
    public async Task AdmitAsync_QueueFullOfNewRequests_LaterSegmentsStillQueueAndDoNotCountTowardsTheLimit()
    {
        _options.MaxQueueLength = 1;
        _slots.Add("gpu1");
        var running = await GrantedAsync(Admit(New()));
        var segment = Admit(Continuation("segment 1"));
        var waiting = Admit(New("fits: later segments do not count"));
        var refused = await Admit(New("one too many")).WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(AdmissionRefusal.QueueFull, refused.Refusal);
        Assert.Equal(2, _queue.Length);
        running.Dispose();
        var lease = await GrantedAsync(waiting);
        Assert.False(segment.IsCompleted);
        lease.Dispose();
        (await GrantedAsync(segment)).Dispose();
    }

    [Fact]
    public async Task FreeSlotsAsync_CountsTheFreeSlotsOfTheGpusThatCanTakeTheVoice_LessTheRequestsWaiting()
    {
        _slots.Add("openai", new ChatTtsOpenAiDialect(), slots: 2);
        _slots.Add("webui", new WebUiDialect());
        var alloy = new BackendRequest("Only chattts-openai has this voice.", Voice: "alloy");
        var any = new BackendRequest("Any GPU will do.");
        Assert.Equal((3, 2), (await _queue.FreeSlotsAsync(any), await _queue.FreeSlotsAsync(alloy)));

        using var onOpenAi = await GrantedAsync(Admit(New()));
        Assert.Equal((2, 1), (await _queue.FreeSlotsAsync(any), await _queue.FreeSlotsAsync(alloy)));

        using var second = await GrantedAsync(Admit(New()));
        using var third = await GrantedAsync(Admit(New()));
        var waiting = Admit(New("Waits for a GPU."));
        Assert.Equal((0, 0), (await _queue.FreeSlotsAsync(any), await _queue.FreeSlotsAsync(alloy)));
        Assert.False(waiting.IsCompleted);

        third.Dispose(); // the waiting request takes it at once
        (await GrantedAsync(waiting)).Dispose();
        Assert.Equal(1, await _queue.FreeSlotsAsync(any));
    }

    private static AdmissionRequest New(string text = "Hello there.") =>
        new(new DefaultHttpContext(), FrozenSet<string>.Empty, IsRetry: false, MaxWait, new BackendRequest(text));

    private static AdmissionRequest Continuation(string text) =>
        new(new DefaultHttpContext(), FrozenSet<string>.Empty, IsRetry: false, MaxWait, new BackendRequest(text), IsContinuation: true);

    private static AdmissionRequest Retry(string exclude) =>
        new(new DefaultHttpContext(), FrozenSet.Create(exclude), IsRetry: true, MaxWait, new BackendRequest("Tried once already."));

    private static async Task<BackendLease> GrantedAsync(Task<AdmissionResult> admission)
    {
        var result = await admission.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(AdmissionRefusal.None, result.Refusal);
        return Assert.IsType<BackendLease>(result.Lease);
    }

    private Task<AdmissionResult> Admit(AdmissionRequest request) => _queue.AdmitAsync(request, new RecordingQueueObserver(), CancellationToken.None);

    private sealed class StoppableLifetime : IHostApplicationLifetime, IDisposable
    {
        private readonly CancellationTokenSource _stopping = new();

        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => _stopping.Token;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication() => _stopping.Cancel();

        public void Dispose() => _stopping.Dispose();
    }
}
