using ChatTts.Edge.Audio;

namespace ChatTts.Edge.Streaming;

/// <summary>The <c>segment</c> events of <see cref="SseSession"/>.</summary>
internal sealed partial class SseSession
{
    private static readonly byte[] SegmentEvent = "segment"u8.ToArray();

    /// <summary>Writes a <c>segment</c> event: the audio events that follow are that segment's, from <c>offset_ms</c> on.</summary>
    public async ValueTask WriteSegmentAsync(SegmentStart segment, CancellationToken cancellationToken) =>
        await WriteEventAsync(RecordedEventKind.Segment, SegmentEvent, (segment, Offset: PcmFormat.ToMilliseconds(SamplesSent)), static (json, s) =>
        {
            json.WriteNumber("index", s.segment.Index);
            json.WriteString("text", s.segment.Text);
            json.WriteNumber("start", s.segment.Start);
            json.WriteNumber("offset_ms", s.Offset);
        }, cancellationToken);
}
