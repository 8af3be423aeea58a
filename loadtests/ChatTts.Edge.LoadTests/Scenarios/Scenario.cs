using ChatTts.Edge.LoadTests.CommandLine;
using ChatTts.Edge.LoadTests.Environment;
using ChatTts.Edge.TestKit;

namespace ChatTts.Edge.LoadTests.Scenarios;

/// <summary>
/// The run every scenario shares: its options read, unknown ones refused and the rest checked before anything starts;
/// a line on the console saying what runs; then what it starts and measures (usually a <see cref="LocalEnvironment"/>,
/// <see cref="RunLocalAsync"/>), its reports published with the verdict. A scenario supplies only what differs.
/// </summary>
internal abstract class Scenario<TSettings> : IScenario
{
    public abstract string Name { get; }

    public abstract string Summary { get; }

    public abstract IReadOnlyList<OptionHelp> Options { get; }

    public virtual RunDefaults Defaults => RunDefaults.Standard;

    public async Task<ScenarioResult> RunAsync(CommandLineArguments arguments, ScenarioContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentNullException.ThrowIfNull(context);
        var settings = Read(arguments);
        arguments.ThrowIfUnread();
        var preparation = Prepare(settings, context.Run);
        await context.Output.WriteLineAsync(StartLine(settings, context.Run));

        // With --trace-sample, the proxies export to a receiver of the runner's, which only counts what arrives.
        await using var traces = context.Run.TraceSampleRatio is null ? null : await OtlpReceiver.StartAsync(keep: false);
        if (traces is not null)
        {
            context = context with { Run = context.Run with { ProxySettings = Traced(context.Run, traces.Endpoint) } };
        }

        // With --admission redis, the proxies share GPU slots and the queue in a redis-server of the run's own.
        await using var slots = context.Run.FleetAdmission ? await RedisServer.StartAsync(context.Time, cancellationToken) : null;
        if (slots is not null)
        {
            context = context with { Run = context.Run with { ProxySettings = FleetSlots(context.Run, slots.Configuration) } };
        }

        if (context.Run.ProxySettings.Count > 0)
        {
            await context.Output.WriteLineAsync("proxy settings: " + string.Join(", ", context.Run.ProxySettings.Select(s => $"{s.Key}={s.Value}")));
        }

        var result = await RunAsync(settings, preparation, context, cancellationToken);
        if (traces is not null)
        {
            await context.Output.WriteLineAsync($"telemetry received: {traces.Exports} OTLP exports, {traces.Bytes / 1024.0:F0} KiB");
        }

        return result;
    }

    private static Dictionary<string, string> FleetSlots(RunSettings run, string redis) => new(run.ProxySettings, StringComparer.OrdinalIgnoreCase)
    {
        ["Edge:Admission:Store"] = "Redis",
        ["Edge:Redis:Configuration"] = redis,
    };

    private static Dictionary<string, string> Traced(RunSettings run, Uri receiver) => new(run.ProxySettings, StringComparer.OrdinalIgnoreCase)
    {
        ["Edge:Telemetry:OtlpEndpoint"] = receiver.AbsoluteUri,
        ["Edge:Telemetry:OtlpProtocol"] = "HttpProtobuf",
        ["Edge:Telemetry:TraceSampleRatio"] = run.TraceSampleRatio!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>Reads the scenario's own options (a <see cref="UsageException"/> for a bad one).</summary>
    protected abstract TSettings Read(CommandLineArguments arguments);

    /// <summary>Once no unknown option is left: what must hold across the options (a <see cref="UsageException"/> if
    /// not), the thresholds to judge by, and the open-file limit raised for the streams to come.</summary>
    protected virtual Preparation Prepare(TSettings settings, RunSettings run) => Preparation.None;

    /// <summary>The console line that says what is about to run.</summary>
    protected abstract string StartLine(TSettings settings, RunSettings run);

    /// <summary>Starts what the run needs, measures, judges and publishes.</summary>
    protected abstract Task<ScenarioResult> RunAsync(TSettings settings, Preparation preparation, ScenarioContext context, CancellationToken cancellationToken);

    /// <summary>
    /// The usual run: <paramref name="measure"/> on a new <see cref="LocalEnvironment"/>, its report published; when
    /// it misses a threshold or fails (other than by being cancelled), every proxy's latest output on the error console.
    /// </summary>
    protected async Task<ScenarioResult> RunLocalAsync(
        EnvironmentSettings environment, ScenarioContext context, Func<LocalEnvironment, Task<ScenarioReport>> measure, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(measure);
        await using var local = await LocalEnvironment.StartAsync(environment.WithProxySettings(context.Run.ProxySettings), context.Time, cancellationToken);
        return await local.RunAsync(async () => await PublishAsync(await measure(local), context), context.Error, cancellationToken);
    }

    /// <summary>Publishes the reports (<see cref="ScenarioContext.PublishAsync"/>) and, for a run that missed a
    /// threshold, its <see cref="ScenarioReport.FailureOutput"/> on the error console.</summary>
    protected async Task<ScenarioResult> PublishAsync(ScenarioReport report, ScenarioContext context)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(context);
        await context.PublishAsync(Name, report.Report, report.Result);
        if (!report.Result.Passed)
        {
            await context.Error.WriteAsync(report.FailureOutput);
        }

        return report.Result;
    }
}
