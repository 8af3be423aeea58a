using ChatTts.Edge.Streaming;

namespace ChatTts.Edge.Api;

/// <summary>
/// The ranges of the streaming API's fields, each one every dialect can honour: what <see cref="SpeechRequestValidator"/>
/// enforces and the OpenAPI document describes. The text's limit is configuration (<see cref="StreamingOptions.MaxTextCharacters"/>).
/// </summary>
internal static class SpeechRequestLimits
{
    public const int MaxVoiceLength = 64;

    /// <summary>An audio event's id is 32 hex digits, a colon and a seq; this leaves room for other clients' ids.</summary>
    public const int MaxLastEventIdLength = 128;

    public const int MinSeed = 0;
    public const int MaxSeed = int.MaxValue;

    public const int MinSpeed = 1;
    public const int MaxSpeed = 9;

    public const double MinTemperature = 0.0;
    public const double MaxTemperature = 1.0;

    public const double MinTopP = 0.0;
    public const double MaxTopP = 1.0;

    public const int MinTopK = 1;
    public const int MaxTopK = 100;

    public const int MinChunkMs = StreamingDefaults.MinChunkMs;
    public const int MaxChunkMs = StreamingDefaults.MaxChunkMs;
}
