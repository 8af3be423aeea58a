using System.Globalization;
using ChatTts.Edge.LoadTests.CommandLine;
using ChatTts.Edge.LoadTests.Metrics;
using ChatTts.Edge.LoadTests.Reporting;

namespace ChatTts.Edge.LoadTests.Scenarios.LongText;

/// <summary>One stream of the long-text scenario.</summary>
/// <param name="Length">The text's length in characters; 0 for the one-sentence reference.</param>
/// <param name="Segments">How many segments it was spoken in (<c>done.segments</c>); null when it was not split.</param>
internal sealed record LongTextSample(int Gpus, int Length, bool Split, TimeSpan? FirstAudio, TimeSpan Total, bool Succeeded, double AudioSeconds, int? Segments)
{
    public string Condition => string.Create(CultureInfo.InvariantCulture,
        $"{Gpus} GPU(s), {(Length == 0 ? "one sentence" : $"{Length} characters")}{(Length == 0 ? "" : Split ? ", split" : ", not split")}");

    public string Line() => string.Create(CultureInfo.InvariantCulture,
        $"  {Condition}: first audio {Figures.Milliseconds(FirstAudio)}, total {Figures.Seconds(Total)}, {AudioSeconds:0.0} s of audio, {Segments ?? 1} segment(s){(Succeeded ? "" : ", FAILED")}");
}

/// <summary>The long-text scenario's figures: per condition the median and spread of first audio and total time, and the ratios the targets are on.</summary>
internal sealed class LongTextFigures(LongTextSettings settings, IReadOnlyList<LongTextSample> samples)
{
    public static IReadOnlyList<string> MetricNames(LongTextSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return ["failed", "ttfa_ratio.max", "total_ratio.max",
            .. settings.Lengths.Select(l => string.Create(CultureInfo.InvariantCulture, $"total_ratio.{l}")),
            .. settings.Gpus.SelectMany(g => settings.Lengths.Select(l => string.Create(CultureInfo.InvariantCulture, $"ttfa_ratio.{g}gpu.{l}")))];
    }

    public MetricSet Metrics()
    {
        var metrics = new MetricSet();
        metrics.Add("failed", samples.Count(s => !s.Succeeded), MetricUnit.Count, MetricDirection.LowerIsBetter, "streams that did not end with done and valid audio");
        var worstTtfa = double.NaN;
        foreach (var gpus in settings.Gpus)
        {
            var reference = Median(gpus, 0, split: false, s => s.FirstAudio);
            foreach (var length in settings.Lengths)
            {
                var ratio = Median(gpus, length, split: true, s => s.FirstAudio) / reference;
                worstTtfa = double.IsNaN(worstTtfa) || ratio > worstTtfa ? ratio : worstTtfa;
                metrics.Add(string.Create(CultureInfo.InvariantCulture, $"ttfa_ratio.{gpus}gpu.{length}"), ratio, MetricUnit.Ratio, MetricDirection.LowerIsBetter,
                    string.Create(CultureInfo.InvariantCulture, $"median first audio of a split {length}-character text on {gpus} GPU(s) ÷ a one-sentence request's"));
            }
        }

        metrics.Add("ttfa_ratio.max", worstTtfa, MetricUnit.Ratio, MetricDirection.LowerIsBetter, "the largest ttfa_ratio: first audio of a split text ÷ a one-sentence request's");
        var (one, most) = (settings.Gpus.Min(), settings.Gpus.Max());
        var worstTotal = double.NaN;
        foreach (var length in settings.Lengths)
        {
            var ratio = one == most ? double.NaN : Median(most, length, split: true, s => s.Total) / Median(one, length, split: false, s => s.Total);
            worstTotal = double.IsNaN(worstTotal) || ratio > worstTotal ? ratio : worstTotal;
            metrics.Add(string.Create(CultureInfo.InvariantCulture, $"total_ratio.{length}"), ratio, MetricUnit.Ratio, MetricDirection.LowerIsBetter,
                string.Create(CultureInfo.InvariantCulture, $"median total time of a {length}-character text split on {most} GPUs ÷ not split on {one}"));
        }

        metrics.Add("total_ratio.max", worstTotal, MetricUnit.Ratio, MetricDirection.LowerIsBetter, "the largest total_ratio");
        return metrics;
    }

    public Report Report(ScenarioContext context, ScenarioResult result)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(result);
        var table = new TextTable("GPUs", "characters", "split", "first audio median", "first audio spread", "total median", "total spread", "audio", "segments", "ok");
        foreach (var group in samples.GroupBy(s => (s.Gpus, s.Length, s.Split)))
        {
            var runs = group.ToList();
            var ttfa = runs.Where(s => s.FirstAudio is not null).Select(s => s.FirstAudio!.Value).Order().ToList();
            var total = runs.Select(s => s.Total).Order().ToList();
            table.Add(group.Key.Gpus.ToString(CultureInfo.InvariantCulture), group.Key.Length == 0 ? "one sentence" : group.Key.Length.ToString(CultureInfo.InvariantCulture),
                group.Key.Length == 0 ? "–" : group.Key.Split ? "yes" : "no",
                Figures.Milliseconds(Figures.PercentileOfSorted(ttfa, 50)), ttfa.Count == 0 ? "–" : $"{Figures.Milliseconds(ttfa[0])} – {Figures.Milliseconds(ttfa[^1])}",
                Figures.Seconds(Figures.PercentileOfSorted(total, 50) ?? TimeSpan.Zero), $"{Figures.Seconds(total[0])} – {Figures.Seconds(total[^1])}",
                string.Create(CultureInfo.InvariantCulture, $"{runs[0].AudioSeconds:0.0} s"),
                string.Join(", ", runs.Select(s => (s.Segments ?? 1).ToString(CultureInfo.InvariantCulture)).Distinct()), $"{runs.Count(s => s.Succeeded)}/{runs.Count}");
        }

        var figures = new TextTable("metric", "value", "what it is");
        foreach (var metric in result.Metrics.All)
        {
            figures.Add(metric.Name, MetricFormat.Value(metric.Value, metric.Unit), metric.Description);
        }

        return new Report("Load test: longtext")
            .AddFact("Command", context.Command, code: true)
            .AddFact("Date", MachineFacts.Date(context.Time))
            .AddFact("Machine", MachineFacts.Describe())
            .AddFact("Load", string.Create(CultureInfo.InvariantCulture,
                $"one stream at a time: a one-sentence reference, then texts of {string.Join(", ", settings.Lengths)} characters (English and Chinese sentences in turn) " +
                $"with split=false and split=true, GET /v1/tts/stream?chunk_ms={settings.ChunkMs}; {settings.Runs} run(s) of each, after one warm-up stream"))
            .AddFact("System under test", string.Create(CultureInfo.InvariantCulture,
                $"per fleet size ({string.Join(", ", settings.Gpus)} GPUs): dotnet ChatTts.Edge.Proxy.dll with the default Edge:Segmentation, in front of in-process emulators " +
                $"({LongTextSettings.Dialect}, synthetic voice, one synthesis at a time, first audio after {DurationFormat.Format(settings.FirstAudio)}, real-time factor {settings.RealTimeFactor})"))
            .AddFact("Times", "first audio: from sending the request to the first audio event; total: to the end of the stream (done), as the client reads it")
            .AddSection("Streams by condition (median, and min – max over the runs)", table)
            .AddSection("Figures", figures)
            .AddThresholds(result);
    }

    private double Median(int gpus, int length, bool split, Func<LongTextSample, TimeSpan?> value)
    {
        var values = samples.Where(s => s.Gpus == gpus && s.Length == length && s.Split == split && s.Succeeded && value(s) is not null)
            .Select(s => value(s)!.Value).Order().ToList();
        return Figures.PercentileOfSorted(values, 50) is { } median ? median.TotalMilliseconds : double.NaN;
    }
}
