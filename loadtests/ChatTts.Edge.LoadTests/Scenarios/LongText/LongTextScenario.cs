using ChatTts.Edge.LoadTests.CommandLine;
using ChatTts.Edge.LoadTests.Environment;
using ChatTts.Edge.LoadTests.Load;
using ChatTts.Edge.LoadTests.Metrics;
using ChatTts.Edge.TestKit;

namespace ChatTts.Edge.LoadTests.Scenarios.LongText;

/// <summary>
/// Long texts split by sentence and spoken on several GPUs at once: for each fleet size (its own emulated GPUs at a
/// realistic pace and its own proxy), a one-sentence reference and texts of each length, with <c>split=true</c> and
/// <c>split=false</c>, one stream at a time, several runs each. Time to first audio should not grow with the text, and
/// the total time on several GPUs should be a fraction of one GPU's.
/// </summary>
internal sealed class LongTextScenario : Scenario<LongTextSettings>
{
    public override string Name => "longtext";

    public override string Summary => "long texts split by sentence on 1 and 4 GPUs, split vs not split: time to first audio and total time";

    public override IReadOnlyList<OptionHelp> Options => LongTextSettings.Options;

    public override RunDefaults Defaults => LongTextSettings.Defaults;

    protected override LongTextSettings Read(CommandLineArguments arguments) => LongTextSettings.Read(arguments);

    protected override Preparation Prepare(LongTextSettings settings, RunSettings run)
    {
        var limits = ThresholdSet.Read(Name, settings.Thresholds);
        ThresholdSet.Validate(limits, LongTextFigures.MetricNames(settings));
        return new Preparation(limits, null);
    }

    protected override string StartLine(LongTextSettings settings, RunSettings run) =>
        $"{Name}: texts of {string.Join(", ", settings.Lengths)} characters on {string.Join(" and ", settings.Gpus)} emulated GPU(s) " +
        $"(first audio {DurationFormat.Format(settings.FirstAudio)}, RTF {settings.RealTimeFactor}), split and not, {settings.Runs} run(s) each …";

    protected override async Task<ScenarioResult> RunAsync(
        LongTextSettings settings, Preparation preparation, ScenarioContext context, CancellationToken cancellationToken)
    {
        var samples = new List<LongTextSample>();
        foreach (var gpus in settings.Gpus)
        {
            var environment = settings.Environment(gpus, settings.Lengths.Max()).WithProxySettings(context.Run.ProxySettings);
            await using var local = await LocalEnvironment.StartAsync(environment, context.Time, cancellationToken);
            using var http = StreamHttpClient.Create(4);
            var client = new SseStreamClient(http, context.Time);
            await client.RunAsync(settings.StreamUrl(local.ProxyAddress, LongTextSettings.OneSentence, split: true), cancellationToken); // warm-up
            for (var run = 0; run < settings.Runs; run++)
            {
                samples.Add(await MeasureAsync(client, settings, local.ProxyAddress, gpus, 0, split: false, context, cancellationToken));
                foreach (var length in settings.Lengths)
                {
                    foreach (var split in new[] { false, true })
                    {
                        samples.Add(await MeasureAsync(client, settings, local.ProxyAddress, gpus, length, split, context, cancellationToken));
                    }
                }
            }
        }

        var figures = new LongTextFigures(settings, samples);
        var result = preparation.Judge(figures.Metrics(), timeline: null);
        return await PublishAsync(new ScenarioReport(figures.Report(context, result), result), context);
    }

    private static async Task<LongTextSample> MeasureAsync(
        SseStreamClient client, LongTextSettings settings, Uri proxy, int gpus, int length, bool split, ScenarioContext context, CancellationToken cancellationToken)
    {
        var text = length == 0 ? LongTextSettings.OneSentence : LongTextSettings.Text(length);
        var outcome = await client.RunAsync(settings.StreamUrl(proxy, text, split), cancellationToken);
        var sample = new LongTextSample(gpus, length, split, outcome.FirstAudio, context.Time.GetElapsedTime(outcome.StartedAt, outcome.EndedAt), outcome.Succeeded, outcome.AudioSeconds, outcome.Segments);
        await context.Output.WriteLineAsync(sample.Line());
        return sample;
    }
}
