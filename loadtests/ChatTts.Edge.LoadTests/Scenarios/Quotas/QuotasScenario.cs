using System.Globalization;
using System.Text;
using ChatTts.Edge.LoadTests.CommandLine;
using ChatTts.Edge.LoadTests.Environment;
using ChatTts.Edge.LoadTests.Reporting;
using ChatTts.Edge.TestKit;

namespace ChatTts.Edge.LoadTests.Scenarios.Quotas;

/// <summary>
/// What per-key quotas in Redis cost the proxy: the same closed load against backends that answer at once, through
/// a fresh proxy process with quotas in effect off (in-memory store, anonymous plan nobody reaches) and with quotas
/// on (one API key, all four limits, state in a real <c>redis-server</c>). The quota check's p99 with Redis, from
/// the proxy's <c>Server-Timing</c>, must stay within 1 ms, and throughput within 90% of the run without.
/// </summary>
internal sealed class QuotasScenario : Scenario<QuotasSettings>
{
    public override string Name => "quotas";

    public override string Summary => "cost of per-key quotas in Redis: the same load with quotas off and on, quota check p99 ≤ 1 ms, throughput ≥ 90%, no failures";

    public override IReadOnlyList<OptionHelp> Options => QuotasSettings.Options;

    public override RunDefaults Defaults => QuotasSettings.Defaults;

    protected override QuotasSettings Read(CommandLineArguments arguments) => QuotasSettings.Read(arguments);

    protected override string StartLine(QuotasSettings settings, RunSettings run) =>
        $"quotas: starting redis-server, then {settings.Rounds} round(s) of two runs (quotas off, quotas on), each with {settings.Backends} " +
        $"emulated GPUs, a new proxy and {settings.Clients} clients for {run.Timing} …";

    /// <summary>Each run starts a local environment of its own (<see cref="QuotasMeasurement"/>), all with one redis-server.</summary>
    protected override async Task<ScenarioResult> RunAsync(
        QuotasSettings settings, Preparation preparation, ScenarioContext context, CancellationToken cancellationToken)
    {
        await using var redis = await RedisServer.StartAsync(context.Time, cancellationToken);
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
            await context.Output.WriteLineAsync($"  round {run.Round}, quotas {Mode(run)}: {Progress(run)}");
        }

        var all = new QuotasFigures(runs, redis.Version, redis.HasExited);
        var result = QuotasReport.Judge(all, settings);
        return await PublishAsync(new ScenarioReport(QuotasReport.Build(all, settings, context, result), result, FailureOutput(all, redis)), context);
    }

    /// <summary>What a failed run shows besides its reports: each run's proxy output where that run was troubled, and
    /// redis-server's if it ended.</summary>
    private static string FailureOutput(QuotasFigures all, RedisServer redis)
    {
        var output = new StringBuilder();
        foreach (var run in all.Runs.Where(r => r.ProxyOutput.Length > 0))
        {
            output.AppendLine(CultureInfo.InvariantCulture, $"round {run.Round}, quotas {Mode(run)}:").Append(run.ProxyOutput);
        }

        return all.RedisExited ? output.Append(redis.RecentOutput()).ToString() : output.ToString();
    }

    private static string Mode(QuotasRun run) => run.Mode == QuotaMode.Off ? "off" : "on";

    private static string Progress(QuotasRun run)
    {
        var figures = ModeFigures.Of(run.Mode, [run]);
        return $"{Figures.Number(figures.StreamsPerSecond)} streams/s, quota p99 " +
            $"{Figures.Milliseconds(Figures.Percentile(figures.QuotaChecks, 99), "0.000")}, {Figures.Count(run.Failed)} failed";
    }
}
