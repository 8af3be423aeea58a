namespace ChatTts.Emulator.Dialects;

/// <summary>How the emulated server runs its syntheses: the dialect's real server's habits, or the options' overrides.</summary>
/// <param name="HealthBlocksDuringSynthesis">The health endpoint answers only once the GPU is free.</param>
/// <param name="KeepsComputingAfterDisconnect">A synthesis whose client left runs on to its end, holding the GPU.</param>
/// <param name="RunsInParallel">Requests do not wait for one another: each starts computing at once, beside the others.</param>
internal sealed record ServerBehaviour(bool HealthBlocksDuringSynthesis, bool KeepsComputingAfterDisconnect, bool RunsInParallel)
{
    /// <summary>
    /// The options' explicit values, else the dialect's. The dialect's habits are those of one server process, so
    /// they apply with <see cref="EmulatorOptions.Concurrency"/> 1; an instance with more slots stands for something
    /// else (a batching server, a load test's stand-in) and keeps the generic behaviour unless the options say otherwise.
    /// </summary>
    public static ServerBehaviour Resolve(EmulatorOptions options, Dialect dialect)
    {
        var habits = options.Concurrency == 1;
        return new ServerBehaviour(
            options.HealthBlocksDuringSynthesis ?? (habits && dialect.HealthBlocksDuringSynthesis),
            options.KeepsComputingAfterDisconnect ?? (habits && dialect.KeepsComputingAfterDisconnect),
            options.RunsInParallel ?? (habits && dialect.RunsInParallel));
    }
}
