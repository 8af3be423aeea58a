using System.ComponentModel.DataAnnotations;

namespace ChatTts.Edge.Streaming;

/// <summary>Section <c>Edge:Streaming</c>.</summary>
internal sealed class StreamingOptions
{
    public const string SectionName = "Edge:Streaming";

    /// <summary>Longest accepted text, in Unicode characters; longer requests get 413.</summary>
    [Range(1, 100_000)]
    public int MaxTextCharacters { get; set; } = StreamingDefaults.MaxTextCharacters;

    /// <summary>Chunk duration when the request names none.</summary>
    [Range(StreamingDefaults.MinChunkMs, StreamingDefaults.MaxChunkMs)]
    public int DefaultChunkMs { get; set; } = StreamingDefaults.ChunkMs;

    /// <summary>
    /// Longest silence on an open stream: a <c>: keepalive</c> comment fills any longer gap. Keep it under the idle
    /// timeout of every proxy and load balancer between the edge and its clients. If the first audio takes longer
    /// than this, the stream opens (200, headers, <c>meta</c>) with a keepalive instead of waiting.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00")]
    public TimeSpan KeepAliveInterval { get; set; } = StreamingDefaults.KeepAliveInterval;

    /// <summary>Longest wait, per backend attempt, from sending the request to the first PCM byte.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00")]
    public TimeSpan FirstAudioTimeout { get; set; } = StreamingDefaults.FirstAudioTimeout;

    /// <summary>
    /// Longest time without audio progress once audio flows (a backend must deliver at least
    /// <see cref="StreamingDefaults.MinProgressSamples"/> samples within it; bytes dribbled out do not count); longer ends
    /// the stream with an error.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00")]
    public TimeSpan IdleTimeout { get; set; } = StreamingDefaults.IdleTimeout;

    /// <summary>Most audio one request may get; a backend that sends more is a runaway, and the stream ends with an error.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "02:00:00")]
    public TimeSpan MaxAudioDuration { get; set; } = StreamingDefaults.MaxAudioDuration;

    /// <summary>
    /// Longest a client may accept no bytes (its connection's buffers full) before its stream ends: the backend call is
    /// cancelled and the GPU slot and quota lease freed.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00")]
    public TimeSpan StalledClientTimeout { get; set; } = StreamingDefaults.StalledClientTimeout;

    /// <summary>Largest single message (an SSE event of a <c>webui</c> backend) the edge reads from a backend; larger is a protocol error.</summary>
    [Range(64 * 1024, 1024 * 1024 * 1024)]
    public int MaxBackendEventBytes { get; set; } = StreamingDefaults.MaxBackendEventBytes;
}
