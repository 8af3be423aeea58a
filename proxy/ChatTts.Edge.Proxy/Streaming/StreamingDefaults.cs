namespace ChatTts.Edge.Streaming;

/// <summary>Defaults and fixed bounds of the streaming API, in one place.</summary>
internal static class StreamingDefaults
{
    public const int ChunkMs = 200;
    public const int MinChunkMs = 20;
    public const int MaxChunkMs = 2000;
    public const int MaxTextCharacters = 2000;
    public static readonly TimeSpan KeepAliveInterval = TimeSpan.FromSeconds(15);

    /// <summary>Largest JSON body accepted by POST /v1/tts/stream (the text limit in 4-byte UTF-8 plus fields).</summary>
    public const int MaxBodyBytes = 64 * 1024;
}
