using System.Text.Json.Serialization;

namespace ChatTts.Edge.Backends.Dialects;

/// <summary>Request and error bodies of the JSON-speaking dialects, serialized without reflection.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(WebUiDialect.Body), TypeInfoPropertyName = "WebUiBody")]
[JsonSerializable(typeof(ChatTtsOpenAiDialect.Body), TypeInfoPropertyName = "OpenAiBody")]
[JsonSerializable(typeof(ChatTtsUiDialect.Reply), TypeInfoPropertyName = "ChatTtsUiReply")]
internal sealed partial class DialectJsonContext : JsonSerializerContext;
