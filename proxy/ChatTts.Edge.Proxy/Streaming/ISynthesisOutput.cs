using ChatTts.Edge.Admission;

namespace ChatTts.Edge.Streaming;

/// <summary>
/// Where one synthesis run sends its audio frames and its queue notices: the client's SSE stream (<see cref="SseSession"/>),
/// or any other output a route writes (another wire format, a segment of a longer text held until its turn).
/// </summary>
internal interface ISynthesisOutput : IAudioFrameSink, IQueueObserver
{
    /// <summary>The request's id, for logs.</summary>
    string RequestId { get; }

    /// <summary>Frames written so far: a run may start over on another backend only while this is 0.</summary>
    long FramesWritten { get; }

    /// <summary>When the first frame was written, as a <see cref="TimeProvider"/> timestamp.</summary>
    long? FirstAudioTimestamp { get; }
}

/// <summary>An output that can also tell its client where each segment of a split long text starts.</summary>
internal interface ISegmentedOutput : ISynthesisOutput
{
    /// <summary>Audio written so far, in samples: where the next frame starts.</summary>
    long SamplesSent { get; }

    /// <summary>Announces <paramref name="segment"/>, whose audio follows, starting at <see cref="SamplesSent"/>.</summary>
    ValueTask WriteSegmentAsync(SegmentStart segment, CancellationToken cancellationToken);
}
