namespace ChatTts.Edge.LoadTests.Load;

/// <summary>Every stream's outcome, added by the clients as they finish. Thread-safe.</summary>
internal sealed class LoadTally
{
    private readonly Lock _gate = new();
    private readonly List<StreamOutcome> _outcomes = [];

    public void Add(StreamOutcome outcome)
    {
        lock (_gate)
        {
            _outcomes.Add(outcome);
        }
    }

    public IReadOnlyList<StreamOutcome> Snapshot()
    {
        lock (_gate)
        {
            return [.. _outcomes];
        }
    }
}
