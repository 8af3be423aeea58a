using ChatTts.Edge.Backends;

namespace ChatTts.Edge.Admission;

/// <summary>One waiting request. Every field changes under the queue's lock.</summary>
internal sealed class Waiter
{
    public Waiter(AdmissionRequest request, bool unrestricted)
    {
        Request = request;
        Unrestricted = unrestricted;
        Node = new LinkedListNode<Waiter>(this);
    }

    public AdmissionRequest Request { get; }

    /// <summary>It could take a slot on any destination: nobody behind it can use one it cannot.</summary>
    public bool Unrestricted { get; }

    public LinkedListNode<Waiter> Node { get; }

    public QueueNotice Notice { get; private set; }

    public TaskCompletionSource<(BackendLease? Lease, AdmissionRefusal Refusal)> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completed (and replaced) whenever <see cref="Notice"/> changes.</summary>
    public TaskCompletionSource Changed { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Tells <paramref name="observer"/> of every move up (a retry slotted in ahead sends nobody back) until the
    /// request has its outcome. <paramref name="gate"/> is the lock its queue changes it under.
    /// </summary>
    public async Task<(BackendLease? Lease, AdmissionRefusal Refusal)> ListenAsync(Lock gate, IQueueObserver observer, CancellationToken cancellationToken)
    {
        var reported = 0;
        while (!Outcome.Task.IsCompleted)
        {
            Task changed;
            QueueNotice notice;
            lock (gate)
            {
                changed = Changed.Task;
                notice = Notice;
            }

            if (notice.Position > 0 && (reported == 0 || notice.Position < reported))
            {
                await observer.QueuedAsync(notice, cancellationToken);
                reported = notice.Position;
            }

            await Task.WhenAny(Outcome.Task, changed);
        }

        return await Outcome.Task;
    }

    public void Move(QueueNotice notice)
    {
        Notice = notice;
        var changed = Changed;
        Changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.SetResult();
    }

    /// <returns>False when it had an outcome already (a lease offered now is the caller's to give back).</returns>
    public bool Complete(BackendLease? lease, AdmissionRefusal refusal) => Outcome.TrySetResult((lease, refusal));
}
