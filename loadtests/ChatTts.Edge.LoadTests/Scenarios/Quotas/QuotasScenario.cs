using ChatTts.Edge.LoadTests.CommandLine;
using ChatTts.Edge.LoadTests.Environment;
using ChatTts.Edge.LoadTests.Reporting;

namespace ChatTts.Edge.LoadTests.Scenarios.Quotas;

/// <summary>
/// What per-key quotas in Redis cost the proxy: the same closed load against backends that answer at once, through
/// a fresh proxy process with quotas in effect off (in-memory store, anonymous plan nobody reaches) and with quotas
/// on (one API key, all four limits, state in a real <c>redis-server</c>). The quota check's p99 with Redis, from
/// the proxy's <c>Server-Timing</c>, must stay within 1 ms, and throughput within 90% of the run without.
/// </summary>
internal sealed class QuotasScenario : IScenario
{
    public string Name => "quotas";

    public string Summary => "cost of per-key quotas in Redis: the same load with quotas off and on, quota check p99 ≤ 1 ms, throughput ≥ 90%, no failures";

    public IReadOnlyList<OptionHelp> Options => QuotasSettings.Options;

    public RunDefaults Defaults => QuotasSettings.Defaults;

    public async Task<ScenarioResult> RunAsync(CommandLineArguments arguments, ScenarioContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(context);
        var settings = QuotasSettings.Read(arguments);
        arguments.ThrowIfUnread();

        await context.Output.WriteLineAsync(
            $"quotas: starting redis-server, then {settings.Rounds} round(s) of two runs (quotas off, quotas on), each with {settings.Backends} " +
            $"emulated GPUs, a new proxy and {settings.Clients} clients for {DurationFormat.Format(context.Run.Duration)} " +
            $"(warm-up {DurationFormat.Format(context.Run.Warmup)}) …");
        await using var redis = await RedisProcess.StartAsync(context.Time, cancellationToken);
        if (settings.LeadIn > TimeSpan.Zero)
        {
            // The first run of this process would otherwise also pay for compiling its own clients and emulators.
            var leadIn = context with { Run = context.Run with { Duration = settings.LeadIn, Warmup = TimeSpan.Zero } };
            var run = await QuotasMeasurement.RunAsync(settings, 0, QuotaMode.Off, redis, leadIn, cancellationToken);
            await context.Output.WriteLineAsync($"  lead-in (not measured), quotas off: {Progress(run)}");
        }

        var runs = new List<QuotasRun>();
        foreach (var (round, mode) in settings.Schedule())
        {
            var run = await QuotasMeasurement.RunAsync(settings, round, mode, redis, context, cancellationToken);
            runs.Add(run);
            await context.Output.WriteLineAsync($"  round {run.Round}, quotas {(mode == QuotaMode.Off ? "off" : "on")}: {Progress(run)}");
        }

        var all = new QuotasFigures(runs, redis.Version, redis.HasExited);
        var result = QuotasReport.Judge(all, settings);
        var report = QuotasReport.Build(all, settings, context, result);

        await context.PublishAsync(Name, report, result);
        if (!result.Passed)
        {
            foreach (var run in runs.Where(r => r.ProxyOutput.Length > 0))
            {
                await context.Error.WriteLineAsync($"round {run.Round}, quotas {(run.Mode == QuotaMode.Off ? "off" : "on")}:");
                await context.Error.WriteAsync(run.ProxyOutput);
            }

            if (all.RedisExited)
            {
                await context.Error.WriteAsync(redis.RecentOutput());
            }
        }

        return result;
    }

    private static string Progress(QuotasRun run)
    {
        var figures = ModeFigures.Of(run.Mode, [run]);
        return $"{Figures.Number(figures.StreamsPerSecond)} streams/s, quota p99 " +
            $"{Figures.Milliseconds(Figures.Percentile(figures.QuotaChecks, 99), "0.000")}, {Figures.Count(run.Failed)} failed";
    }
}
