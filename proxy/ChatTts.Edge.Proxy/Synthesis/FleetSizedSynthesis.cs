using ChatTts.Edge.Backends;
using ChatTts.Edge.Hosting;
using ChatTts.Edge.Segmentation;
using ChatTts.Edge.Streaming;

namespace ChatTts.Edge.Synthesis;

/// <summary>
/// A text that may be split, sized to the fleet when it starts: the GPU slots free for it then
/// (<see cref="Admission.IAdmissionControl.FreeSlotsAsync"/>) decide how many near-equal segments it is cut into
/// (<see cref="SegmentPlan"/>). More than one is a <see cref="SegmentedSynthesis"/>; one is a plain
/// <see cref="SynthesisRun"/>, as if it had never been considered for splitting. A seeded request is planned as if one
/// slot were free, so the same request is always cut the same way (and speaks the same audio).
/// </summary>
internal sealed partial class FleetSizedSynthesis(SynthesisServices services, HttpContext context, ISegmentedOutput output, BackendRequest speech, int chunkMs)
    : ISpeechSynthesis
{
    private ISpeechSynthesis? _chosen;

    public string? Backend => _chosen?.Backend;

    public string? Dialect => _chosen?.Dialect;

    public int Attempts => _chosen?.Attempts ?? 0;

    public int? Segments => _chosen?.Segments;

    public async ValueTask<long> ExecuteAsync(CancellationToken cancellationToken)
    {
        // A seeded request's audio must not depend on the fleet's load: its split is its text's alone.
        var free = speech.Seed is null ? await services.Admission.FreeSlotsAsync(speech) : SegmentPlan.Deterministic;
        var segments = SegmentPlan.Split(speech.Text, free, services.Segmentation);
        Log.Split(services.Logger, output.RequestId, segments.Count, free);
        _chosen = segments.Count > 1
            ? new SegmentedSynthesis(services, context, output, speech, segments, chunkMs)
            : new SynthesisRun(services, context, output, speech, chunkMs);
        return await _chosen.ExecuteAsync(cancellationToken);
    }

    private static partial class Log
    {
        [LoggerMessage(LogEvents.TextSplit, LogLevel.Debug, "Stream {RequestId}: the text is spoken in {Segments} segment(s), with {Free} GPU slot(s) free for it")]
        public static partial void Split(ILogger logger, string requestId, int segments, int free);
    }
}
