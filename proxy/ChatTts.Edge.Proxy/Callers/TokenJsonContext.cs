using System.Text.Json.Serialization;

namespace ChatTts.Edge.Callers;

/// <summary>A browser token's payload, serialized without reflection (claim names as tokens name them, not snake_case).</summary>
[JsonSerializable(typeof(TokenPayload))]
internal sealed partial class TokenJsonContext : JsonSerializerContext;
