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

    /// <summary>After the first audio, ChatTTS yields faster than real time; 10 s of silence means a stuck GPU.</summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Time after the drain timeout for the last <c>error</c> events to reach clients before connections are cut.</summary>
    public static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(5);

    /// <summary>Retry-After when a backend said it is busy without saying for how long.</summary>
    public static readonly TimeSpan BackendBusyRetryAfter = TimeSpan.FromSeconds(1);

    /// <summary>Largest JSON body accepted by POST /v1/tts/stream (the text limit in 4-byte UTF-8 plus fields).</summary>
    public const int MaxBodyBytes = 64 * 1024;
}
