using ChatTts.Edge.LoadTests.Load;

namespace ChatTts.Edge.LoadTests.Scenarios.Overhead;

/// <summary>
/// <see cref="ClosedLoopLoad"/> for raw backend streams: the same client loop (<see cref="ClosedLoopLoad.Loop"/>: a
/// fixed number of clients, one stream at a time each, back to back, their first streams spread over a ramp, a pause
/// after a failure), so the raw paths and the edge path are loaded alike. Every outcome is kept with its request's number.
/// </summary>
internal sealed class RawClosedLoop : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly List<RawStreamOutcome> _outcomes = [];
    private LoadClients? _clients;

    /// <summary>Starts <paramref name="clients"/> clients posting to <paramref name="url"/>, request <c>n</c> saying
    /// <paramref name="text"/>(<c>n</c>); cancelling the token cuts every stream.</summary>
    public static RawClosedLoop Start(
        int clients, Uri url, Func<long, string> text, RawStreamClient client, TimeProvider time, TimeSpan rampUp, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(client);
        var load = new RawClosedLoop();
        var requests = new RequestNumbers();
        load._clients = LoadClients.Start(clients, (i, signals) => ClosedLoopLoad.Loop(clients, i, rampUp, signals, async (number, abort) =>
        {
            var outcome = await client.RunAsync(url, text(number), abort);
            lock (load._gate)
            {
                load._outcomes.Add(outcome with { Stream = outcome.Stream with { Client = i, Number = number } });
            }

            return outcome.Stream.Status == StreamStatus.Done ? TimeSpan.Zero : ClosedLoopLoad.PauseAfter(outcome.Stream);
        }, requests), time, cancellationToken);
        return load;
    }

    /// <summary>Every stream so far, in the order they ended.</summary>
    public IReadOnlyList<RawStreamOutcome> Outcomes()
    {
        lock (_gate)
        {
            return [.. _outcomes];
        }
    }

    /// <inheritdoc cref="LoadClients.StopAsync"/>
    public Task<bool> StopAsync(TimeSpan drainTimeout) => _clients!.StopAsync(drainTimeout);

    public ValueTask DisposeAsync() => _clients?.DisposeAsync() ?? ValueTask.CompletedTask;
}
