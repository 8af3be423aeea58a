using System.Globalization;
using ChatTts.Edge.LoadTests.CommandLine;
using ChatTts.Edge.LoadTests.Reporting;

namespace ChatTts.Edge.LoadTests.Scenarios.OpenAi;

/// <summary>
/// What OpenAI's speech API costs the time to first audio next to the edge's own stream: one proxy, backends that answer at
/// once (or after <c>--first-chunk-delay</c>), and one client per route streaming the same text, one stream at a time:
/// <c>GET /v1/tts/stream</c>, <c>POST /v1/audio/speech</c> streamed as audio, and as <c>speech.audio</c> events. Figures, not
/// targets: the only threshold is that no stream fails.
/// </summary>
internal sealed class OpenAiScenario : Scenario<OpenAiSettings>
{
    public override string Name => "openai";

    public override string Summary => "time to first audio of OpenAI's POST /v1/audio/speech (streamed audio and SSE) vs GET /v1/tts/stream, " +
        "one stream at a time, in one run; no failures";

    public override IReadOnlyList<OptionHelp> Options => OpenAiSettings.Options;

    protected override OpenAiSettings Read(CommandLineArguments arguments) => OpenAiSettings.Read(arguments);

    protected override string StartLine(OpenAiSettings settings, RunSettings run) =>
        $"openai: starting {settings.Backends} emulated GPUs and the proxy; {settings.WarmupStreams} warm-up and {settings.Streams} measured rounds " +
        $"of one stream per route ({string.Join(", ", SpeechRoutes.All.Select(r => r.Name()))}) …";

    protected override Task<ScenarioResult> RunAsync(OpenAiSettings settings, Preparation preparation, ScenarioContext context, CancellationToken cancellationToken) =>
        RunLocalAsync(settings.Environment(), context, async environment =>
        {
            var (routes, elapsed) = await OpenAiMeasurement.RunAsync(environment, settings, context, cancellationToken);
            var result = new ScenarioResult(
            [
                new("no failed stream on any route (warm-up included)",
                    string.Join(", ", routes.Select(r => $"{r.Route.Name()} {Figures.Count(r.Failures.Values.Sum())} of {Figures.Count(settings.Streams + settings.WarmupStreams)}")),
                    routes.All(r => r.Failures.Count == 0)),
            ]);
            return new ScenarioReport(Build(routes, elapsed, settings, context, result), result);
        }, cancellationToken);

    private static Report Build(IReadOnlyList<RouteFigures> routes, TimeSpan elapsed, OpenAiSettings settings, ScenarioContext context, ScenarioResult result)
    {
        var baseline = routes.Single(r => r.Route == SpeechRoute.TtsStream);
        var table = new TextTable("route", "streams", "failed", "TTFA p50", "TTFA p90", "TTFA p99", "TTFA max", "vs tts-stream p50");
        foreach (var r in routes)
        {
            table.Add(r.Route.Name(), Figures.Count(r.Streams), Figures.Count(r.Failed), Ms(r.Percentile(50)), Ms(r.Percentile(90)),
                Ms(r.Percentile(99)), Ms(r.Percentile(100)),
                r == baseline || r.Percentile(50) is not { } p || baseline.Percentile(50) is not { } b
                    ? "–"
                    : (p - b).TotalMilliseconds.ToString("+0.00;−0.00;0.00", CultureInfo.InvariantCulture) + " ms");
        }

        return new Report("Load test: time to first audio of OpenAI's speech API and of the edge's own stream")
            .AddFact("Command", context.Command, code: true)
            .AddFact("Date", MachineFacts.Date(context.Time))
            .AddFact("Machine", MachineFacts.Describe() + "; load generator, emulators and proxy share it")
            .AddFact("Load", $"one client per route, one stream at a time, in rounds of one stream per route whose order rotates each round; " +
                $"{Figures.Count(settings.WarmupStreams)} unmeasured warm-up rounds, then {Figures.Count(settings.Streams)} measured; text " +
                $"'{OpenAiSettings.Text}' on every route (tts-stream: GET /v1/tts/stream; openai-audio: POST /v1/audio/speech response_format pcm, " +
                $"stream_format audio; openai-sse: the same with stream_format sse), each body read to its end over a kept-alive connection; " +
                $"took {Figures.Seconds(elapsed)} in all")
            .AddFact("TTFA", "the client's time from sending the request to the first audio: the first `audio` event (tts-stream), the first " +
                "body bytes (openai-audio), the first `speech.audio.delta` (openai-sse); nearest-rank percentiles over the measured streams that completed")
            .AddFact("Backends", $"{settings.Backends} in-process emulators, dialect {OpenAiSettings.Dialect}, synthetic voice, RTF 0, first-chunk delay " +
                $"{Figures.Milliseconds(settings.FirstChunkDelay)}, Metadata:MaxConcurrency={OpenAiSettings.MaxConcurrency} each (admission does not queue)")
            .AddFact("Proxy", "one `dotnet ChatTts.Edge.Proxy.dll` process from its build output, anonymous callers on a plan no stream reaches")
            .AddSection("Time to first audio, measured streams", table)
            .AddFailures(routes.SelectMany(r => r.Failures.Select(f => ($"{r.Route.Name()}: {f.Key}", f.Value))), "failure (warm-up included)")
            .AddThresholds(result);
    }

    private static string Ms(TimeSpan? value) => Figures.Milliseconds(value, "0.00");
}
