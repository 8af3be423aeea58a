using ChatTts.Edge.Audio;

namespace ChatTts.Edge.Streaming;

/// <summary>Defaults and fixed bounds of the streaming API, in one place.</summary>
internal static class StreamingDefaults
{
    public const int ChunkMs = 200;
    public const int MinChunkMs = 20;
    public const int MaxChunkMs = 2000;
    public const int MaxTextCharacters = 2000;
    public static readonly TimeSpan KeepAliveInterval = TimeSpan.FromSeconds(15);

    /// <summary>ChatTTS's first audio takes 1–2 s on a data-centre GPU; a long text on a slow GPU takes longer.</summary>
    public static readonly TimeSpan FirstAudioTimeout = TimeSpan.FromSeconds(30);

    /// <summary>After the first audio, ChatTTS yields faster than real time; 10 s without progress means a stuck GPU.</summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Audio that counts as progress for the idle timeout: the shortest chunk the API offers (20 ms).</summary>
    public const int MinProgressSamples = MinChunkMs * PcmFormat.SamplesPerMillisecond;

    /// <summary>The longest text (2,000 characters) takes about 10 minutes to speak; more is a runaway backend.</summary>
    public static readonly TimeSpan MaxAudioDuration = TimeSpan.FromMinutes(15);

    /// <summary>A client's connection may stay full this long (a phone in a tunnel) before its stream ends.</summary>
    public static readonly TimeSpan StalledClientTimeout = TimeSpan.FromSeconds(20);

    /// <summary>
    /// A ChatTTS step is 0.5 s of audio (32 KiB as base64); 8 MiB holds about three minutes in one event, for a backend
    /// that sends a whole answer at once, while bounding what one message can cost the edge's memory.
    /// </summary>
    public const int MaxBackendEventBytes = 8 * 1024 * 1024;
}
