using System.Text.Json.Serialization;

namespace ChatTts.Edge.Quotas;

[JsonSerializable(typeof(TokenPayload))]
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
internal sealed partial class QuotaJsonContext : JsonSerializerContext;
