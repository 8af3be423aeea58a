using System.Collections.Frozen;

namespace ChatTts.Edge.Api;

/// <summary>The field names of the streaming API (a contract: see the README's API reference).</summary>
internal static class SpeechRequestFields
{
    public const string Text = "text";
    public const string Voice = "voice";
    public const string Seed = "seed";
    public const string Speed = "speed";
    public const string Temperature = "temperature";
    public const string TopP = "top_p";
    public const string TopK = "top_k";
    public const string ChunkMs = "chunk_ms";
    public const string Split = "split";
    public const string ApiKey = "api_key";
    public const string LastEventId = "last_event_id";

    /// <summary>Fields of a POST body. The API key travels in a header there.</summary>
    public static readonly FrozenSet<string> Body = FrozenSet.Create(StringComparer.Ordinal, Text, Voice, Seed, Speed, Temperature, TopP, TopK, ChunkMs, Split);

    /// <summary>
    /// Fields of a GET query: the body's plus <c>api_key</c> and <c>last_event_id</c>, for clients that cannot send the
    /// <c>Authorization</c> and <c>Last-Event-ID</c> headers.
    /// </summary>
    public static readonly FrozenSet<string> Query = FrozenSet.Create(StringComparer.Ordinal, [.. Body, ApiKey, LastEventId]);

    public static string List(FrozenSet<string> fields) => string.Join(", ", fields.Order(StringComparer.Ordinal));
}
