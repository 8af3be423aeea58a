using System.Globalization;
using System.Security.Cryptography;
using System.Text;
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

    /// <summary>The <c>id</c> of the last audio event the client had (<c>Last-Event-ID</c>, or <c>last_event_id</c> in the query).</summary>
    public string? LastEventId { get; init; }

    /// <summary>What a backend is asked to synthesize for this request.</summary>
    public BackendRequest ToBackendRequest() => new(Text, Voice, Seed, Speed, Temperature, TopP, TopK);

    /// <summary>
    /// A hash of everything that shapes the stream's audio (the text, every field that reaches the backend, the chunk
    /// size, splitting): a stream is resumed only by the same request.
    /// </summary>
    public string Fingerprint()
    {
        var fields = string.Join('\u001f', Text, Voice ?? "\u0000", Number(Seed), Number(Speed), Number(Temperature), Number(TopP), Number(TopK), ChunkMs.ToString(CultureInfo.InvariantCulture), Split ? "1" : "0");
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(fields)));
    }

    private static string Number<T>(T? value)
        where T : struct, IFormattable => value?.ToString(null, CultureInfo.InvariantCulture) ?? "\u0000";
}
