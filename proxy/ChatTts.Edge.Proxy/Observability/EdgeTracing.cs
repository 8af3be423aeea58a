using System.Diagnostics;
using OpenTelemetry.Trace;

namespace ChatTts.Edge.Observability;

/// <summary>
/// The edge's spans (source <c>ChatTts.Edge</c>): one per stream (<see cref="Stream"/>), with child spans for the quota
/// check, each wait in the admission queue and each backend attempt. Attributes never carry an API key, only its id.
/// </summary>
internal static class EdgeTracing
{
    public const string SourceName = "ChatTts.Edge";

    public const string Stream = "tts.stream";
    public const string QuotaCheck = "quota.check";
    public const string QueueWait = "queue.wait";
    public const string BackendAttempt = "backend.attempt";

    public const string RequestId = "edge.request_id";
    public const string KeyId = "edge.key_id";
    public const string Dialect = "edge.dialect";
    public const string Backend = "edge.backend";
    public const string Attempts = "edge.attempts";
    public const string TimeToFirstAudioMs = "edge.ttfa_ms";
    public const string Outcome = "edge.outcome";
    public const string QuotaVerdict = "edge.quota.verdict";
    public const string Retry = "edge.retry";

    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>
    /// Follows the client's sampling decision when it sent one; otherwise traces <paramref name="ratio"/> of the requests.
    /// Calls the edge starts on its own (the backends' health probes) are not traced: they would drown the streams.
    /// </summary>
    public static Sampler Sampler(double ratio) => new ParentBasedSampler(new RootSampler(ratio));

    private sealed class RootSampler(double ratio) : Sampler
    {
        private static readonly SamplingResult Drop = new(SamplingDecision.Drop);
        private readonly TraceIdRatioBasedSampler _ratio = new(ratio);

        public override SamplingResult ShouldSample(in SamplingParameters samplingParameters) =>
            samplingParameters.Kind == ActivityKind.Client ? Drop : _ratio.ShouldSample(samplingParameters);
    }
}
