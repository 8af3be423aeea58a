using ChatTts.Edge.Admission;

namespace ChatTts.Edge.Tests.Admission;

/// <summary>Keeps the queue notices one waiting request hears, as its client would see them in <c>queued</c> events.</summary>
internal sealed class RecordingQueueObserver : IQueueObserver
{
    private readonly Lock _lock = new();
    private readonly List<QueueNotice> _notices = [];
    private readonly List<(int Position, TaskCompletionSource Heard)> _awaited = [];

    public IReadOnlyList<QueueNotice> Notices
    {
        get
        {
            lock (_lock)
            {
                return [.. _notices];
            }
        }
    }

    public IReadOnlyList<int> Positions => [.. Notices.Select(n => n.Position)];

    public ValueTask QueuedAsync(QueueNotice notice, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _notices.Add(notice);
            foreach (var (position, heard) in _awaited)
            {
                if (position == notice.Position)
                {
                    heard.TrySetResult();
                }
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>True once the request was told it got its slot.</summary>
    public bool Admitted { get; private set; }

    public ValueTask AdmittedAsync(CancellationToken cancellationToken)
    {
        Admitted = true;
        return ValueTask.CompletedTask;
    }

    /// <summary>Completes once the request has been told it stands at <paramref name="position"/>.</summary>
    public Task HeardAsync(int position)
    {
        lock (_lock)
        {
            if (_notices.Exists(n => n.Position == position))
            {
                return Task.CompletedTask;
            }

            var heard = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _awaited.Add((position, heard));
            return heard.Task.WaitAsync(TimeSpan.FromSeconds(5));
        }
    }
}
