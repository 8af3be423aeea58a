using ChatTts.Edge.Resume;
using ChatTts.Edge.Streaming;
using ChatTts.Edge.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace ChatTts.Edge.Tests.Resumption; // not "Resume": a reserved word in Visual Basic (CA1716)

/// <summary>One stream's journal in the memory store, on a fake clock: what a resume reads, and the grace period's outcome.</summary>
public sealed class ResumableStreamTests
{
    private readonly ManualTimeProvider _time = new();

    [Fact]
    public async Task ReadAsync_AfterAudioSeq_YieldsEverythingAfterItInOrder_UpToTheLastEvent()
    {
        var (resumption, _) = Resumption(new ResumeOptions());
        using var journal = resumption.Begin("request-1", "alice", "f")!;
        journal.Record(RecordedEventKind.Segment, -1, 0, 0, "{\"index\":0}"u8);
        for (var seq = 0; seq < 4; seq++)
        {
            journal.Record(RecordedEventKind.Audio, seq, seq * 10, 10, [(byte)seq]);
            if (seq == 1)
            {
                journal.Record(RecordedEventKind.Segment, seq, (seq + 1) * 10, 0, "{\"index\":1}"u8);
            }
        }

        journal.Record(RecordedEventKind.Done, 3, 40, 0, "{\"chunks\":4}"u8);
        var point = await resumption.FindAsync(journal.StreamId + ":1", "alice", "f", CancellationToken.None);

        Assert.NotNull(point);
        Assert.Equal("request-1", point.RequestId);
        var events = new List<RecordedEvent>();
        await foreach (var e in resumption.ReadAsync(point, CancellationToken.None))
        {
            events.Add(e);
        }

        Assert.Equal([RecordedEventKind.Segment, RecordedEventKind.Audio, RecordedEventKind.Audio, RecordedEventKind.Done], events.Select(e => e.Kind));
        Assert.Equal([1L, 2, 3, 3], events.Select(e => e.Seq));
        Assert.Equal([2, 3], events.Where(e => e.Kind == RecordedEventKind.Audio).Select(e => (int)e.Payload.Span[0]));
    }

    [Theory]
    [InlineData("bob", "f")] // another caller
    [InlineData("alice", "g")] // another request
    public async Task FindAsync_AnotherCallerOrRequest_FindsNothing(string keyId, string fingerprint)
    {
        var (resumption, _) = Resumption(new ResumeOptions());
        using var journal = resumption.Begin("request-1", "alice", "f")!;
        journal.Record(RecordedEventKind.Audio, 0, 0, 10, [1]);

        Assert.Null(await resumption.FindAsync(journal.StreamId + ":0", keyId, fingerprint, CancellationToken.None));
        Assert.NotNull(await resumption.FindAsync(journal.StreamId + ":0", "alice", "f", CancellationToken.None));
    }

    [Fact]
    public void ClientLeft_NobodyAttachesWithinTheGrace_CancelsTheSynthesisThen()
    {
        var (resumption, _) = Resumption(new ResumeOptions { Grace = TimeSpan.FromSeconds(5) });
        using var journal = resumption.Begin("request-1", "alice", "f")!;
        journal.Record(RecordedEventKind.Audio, 0, 0, 10, [1]);
        using var synthesis = new CancellationTokenSource();

        journal.ClientLeft(synthesis);
        _time.Advance(TimeSpan.FromSeconds(4.9));
        Assert.False(synthesis.IsCancellationRequested); // the GPU goes on for the grace period
        _time.Advance(TimeSpan.FromSeconds(0.1));

        Assert.True(synthesis.IsCancellationRequested);
    }

    [Fact]
    public async Task ClientLeft_AResumeAttachesWithinTheGrace_TheSynthesisGoesOn_AndALateResumeAfterAbandonFindsNothing()
    {
        var (resumption, _) = Resumption(new ResumeOptions { Grace = TimeSpan.FromSeconds(5) });
        using var attached = resumption.Begin("request-1", "alice", "f")!;
        using var abandoned = resumption.Begin("request-2", "alice", "f")!;
        attached.Record(RecordedEventKind.Audio, 0, 0, 10, [1]);
        abandoned.Record(RecordedEventKind.Audio, 0, 0, 10, [1]);
        using var kept = new CancellationTokenSource();
        using var cancelled = new CancellationTokenSource();

        attached.ClientLeft(kept);
        abandoned.ClientLeft(cancelled);
        Assert.NotNull(await resumption.FindAsync(attached.StreamId + ":0", "alice", "f", CancellationToken.None));
        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.False(kept.IsCancellationRequested);
        Assert.True(cancelled.IsCancellationRequested);
        Assert.Null(await resumption.FindAsync(abandoned.StreamId + ":0", "alice", "f", CancellationToken.None));
    }

    [Fact]
    public async Task Journals_BeyondTheBudget_TheOldestFinishedGoFirst_AndExpiredOnesAreGone()
    {
        var (resumption, store) = Resumption(new ResumeOptions { MaxBytes = 1L << 20, MaxStreamBytes = 1L << 19, Retention = TimeSpan.FromMinutes(1) });
        var live = resumption.Begin("live", "alice", "f")!;
        var finished = resumption.Begin("finished", "alice", "f")!;
        live.Record(RecordedEventKind.Audio, 0, 0, 10, new byte[400_000]);
        finished.Record(RecordedEventKind.Audio, 0, 0, 10, new byte[400_000]);
        finished.Dispose();

        using var newest = resumption.Begin("newest", "alice", "f")!;
        newest.Record(RecordedEventKind.Audio, 0, 0, 10, new byte[400_000]);

        Assert.Null(await resumption.FindAsync(finished.StreamId + ":0", "alice", "f", CancellationToken.None));
        Assert.NotNull(await resumption.FindAsync(live.StreamId + ":0", "alice", "f", CancellationToken.None));
        Assert.Equal(800_000, store.Bytes);
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Null(await resumption.FindAsync(newest.StreamId + ":0", "alice", "f", CancellationToken.None));
        live.Dispose();
    }

    [Fact]
    public async Task Record_BeyondMaxStreamBytes_TheStreamIsNoLongerResumable()
    {
        var (resumption, _) = Resumption(new ResumeOptions { MaxStreamBytes = 64 << 10 });
        using var journal = resumption.Begin("request-1", "alice", "f")!;
        journal.Record(RecordedEventKind.Audio, 0, 0, 10, new byte[40_000]);
        Assert.NotNull(await resumption.FindAsync(journal.StreamId + ":0", "alice", "f", CancellationToken.None));

        journal.Record(RecordedEventKind.Audio, 1, 10, 10, new byte[40_000]);

        Assert.Null(await resumption.FindAsync(journal.StreamId + ":0", "alice", "f", CancellationToken.None));
    }

    [Fact]
    public async Task ReadAsync_AfterTheJournalsSlabWasReused_StillHoldsItsOwnBytes_NeverTheNextStreams()
    {
        var (resumption, _) = Resumption(new ResumeOptions { MaxBytes = 1L << 20, MaxStreamBytes = 1L << 19 });
        var first = resumption.Begin("first", "alice", "f")!;
        first.Record(RecordedEventKind.Audio, 0, 0, 10, [1, 1, 1]);
        first.Record(RecordedEventKind.Audio, 1, 10, 10, [2, 2, 2]);
        first.Record(RecordedEventKind.Done, 1, 20, 0, "{}"u8);
        var point = await resumption.FindAsync(first.StreamId + ":0", "alice", "f", CancellationToken.None);
        var reading = resumption.ReadAsync(point!, CancellationToken.None).GetAsyncEnumerator();
        Assert.True(await reading.MoveNextAsync()); // the reader holds audio 1 (and the batch behind it)…
        first.Dispose();

        // …when the budget drops the finished journal and later streams take its slab over with their own audio.
        for (var i = 0; i < 8; i++)
        {
            var next = resumption.Begin("next", "bob", "g")!;
            next.Record(RecordedEventKind.Audio, 0, 0, 10, Enumerable.Repeat((byte)9, 120_000).ToArray());
        }

        Assert.Equal([2, 2, 2], reading.Current.Payload.ToArray());
        Assert.True(await reading.MoveNextAsync());
        Assert.Equal(RecordedEventKind.Done, reading.Current.Kind);
        Assert.Equal("{}"u8.ToArray(), reading.Current.Payload.ToArray());
        await reading.DisposeAsync();
    }

    private (StreamResumption Resumption, MemoryResumeStore Store) Resumption(ResumeOptions options)
    {
        var monitor = new FixedOptionsMonitor<ResumeOptions>(options);
        var store = new MemoryResumeStore(monitor, _time);
        return (new StreamResumption(store, monitor, _time, NullLogger<StreamResumption>.Instance), store);
    }
}
