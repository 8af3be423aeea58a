using ChatTts.Edge.Admission;
using ChatTts.Edge.Backends;
using ChatTts.Edge.Backends.Health;
using ChatTts.Edge.Observability;
using ChatTts.Edge.Replay;
using ChatTts.Edge.Resilience;
using ChatTts.Edge.Segmentation;
using ChatTts.Edge.Streaming;
using Microsoft.Extensions.Options;

namespace ChatTts.Edge.Synthesis;

/// <summary>What every <see cref="SynthesisRun"/> works with: one set, shared by the runs of every request.</summary>
internal sealed class SynthesisServices(
    IAdmissionControl admission,
    IGpuSlots slots,
    SynthesisRetry retry,
    BackendFailuresPolicy health,
    BackendStatistics statistics,
    EdgeMetrics metrics,
    TimeProvider time,
    IOptionsMonitor<StreamingOptions> streaming,
    IOptionsMonitor<AdmissionOptions> admissionOptions,
    IOptionsMonitor<SegmentationOptions> segmentation,
    ReplayCache replay,
    BackendSelector backends,
    ILogger<SynthesisRun> logger)
{
    public IAdmissionControl Admission { get; } = admission;

    public IGpuSlots Slots { get; } = slots;

    public SynthesisRetry Retry { get; } = retry;

    public BackendFailuresPolicy Health { get; } = health;

    public BackendStatistics Statistics { get; } = statistics;

    public EdgeMetrics Metrics { get; } = metrics;

    public TimeProvider Time { get; } = time;

    public StreamingOptions Streaming => streaming.CurrentValue;

    public AdmissionOptions AdmissionOptions => admissionOptions.CurrentValue;

    public SegmentationOptions Segmentation => segmentation.CurrentValue;

    /// <summary>The replay cache of deterministic requests.</summary>
    public ReplayCache Replay { get; } = replay;

    /// <summary>The fleet's destinations, for the dialects and models a request could be served by.</summary>
    public BackendSelector Backends { get; } = backends;

    public ILogger Logger { get; } = logger;
}
