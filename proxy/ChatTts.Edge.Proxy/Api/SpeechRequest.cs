using ChatTts.Edge.Backends;
using ChatTts.Edge.Streaming;

namespace ChatTts.Edge.Api;

/// <summary>A validated request for speech, as the client asked for it (see the README's API reference).</summary>
internal sealed record SpeechRequest
{
    public required string Text { get; init; }

    /// <summary>Length of <see cref="Text"/> in Unicode characters (runes), the unit limits and usage count in.</summary>
    public required int Characters { get; init; }

    public string? Voice { get; init; }

    public int? Seed { get; init; }

    public int? Speed { get; init; }

    public double? Temperature { get; init; }

    public double? TopP { get; init; }

    public int? TopK { get; init; }

    public int ChunkMs { get; init; } = StreamingDefaults.ChunkMs;

    /// <summary>A long text may be split by sentence and spoken on several GPUs at once (<c>split</c>, default true).</summary>
    public bool Split { get; init; } = true;

    /// <summary>What a backend is asked to synthesize for this request.</summary>
    public BackendRequest ToBackendRequest() => new(Text, Voice, Seed, Speed, Temperature, TopP, TopK);
}
