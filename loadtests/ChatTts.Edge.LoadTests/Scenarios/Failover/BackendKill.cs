using ChatTts.Edge.LoadTests.Environment;

namespace ChatTts.Edge.LoadTests.Scenarios.Failover;

/// <summary>
/// The death of one emulated GPU in the middle of a run: its Kestrel stops, the synthesis under way has its
/// connection aborted and its port refuses from then on, as when a GPU process dies. The emulator keeps its records
/// after it is disposed, so the requests it had received can still be read afterwards.
/// </summary>
internal sealed class BackendKill(Backend backend, TimeProvider time)
{
    private long? _killedAt;

    /// <summary>The backend that dies.</summary>
    public Backend Backend => backend;

    /// <summary>When it died (the stop began), as a <see cref="TimeProvider"/> timestamp; null before.</summary>
    public long? KilledAt => _killedAt;

    /// <summary>How long stopping it took (Kestrel's stop, the connections aborted).</summary>
    public TimeSpan StopTook { get; private set; }

    /// <summary>Synthesis requests it had received before it died.</summary>
    public int RequestsBeforeKill { get; private set; }

    /// <summary>The texts of every synthesis request it received, read after its death.</summary>
    public IReadOnlySet<string> ReceivedTexts { get; private set; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Waits <paramref name="delay"/> (none when it is not positive), then kills the backend.</summary>
    public async Task RunAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, time, cancellationToken);
        }

        RequestsBeforeKill = backend.Emulator.RequestCount;
        _killedAt = time.GetTimestamp();
        await backend.Emulator.DisposeAsync();
        StopTook = time.GetElapsedTime(_killedAt.Value);
        ReceivedTexts = backend.Emulator.Requests.Select(r => r.Text).ToHashSet(StringComparer.Ordinal);
    }
}
