using System.Text.Json;
using System.Text.Json.Serialization;

namespace ChatTts.Edge.Api;

/// <summary>
/// The edge's own JSON answers (usage, tokens, fleet status), in snake_case, serialized without reflection: the one
/// place their naming is decided. (Problem details keep ASP.NET Core's; SSE events are written field by field; the
/// backends' request bodies are their dialects' wire formats.)
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(Microsoft.AspNetCore.Builder.QuotaEndpoints.TokenRequest))]
[JsonSerializable(typeof(Microsoft.AspNetCore.Builder.QuotaEndpoints.TokenResponse))]
[JsonSerializable(typeof(Microsoft.AspNetCore.Builder.QuotaEndpoints.UsageResponse))]
[JsonSerializable(typeof(Microsoft.AspNetCore.Builder.BackendStatusEndpoints.FleetStatus))]
[JsonSerializable(typeof(Microsoft.AspNetCore.Builder.OpenAiEndpoints.ModelList))]
internal sealed partial class EdgeJsonContext : JsonSerializerContext;
