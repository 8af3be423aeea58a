using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace ChatTts.Edge.Backends.Dialects;

/// <summary>Request bodies with a <c>Content-Length</c> (<c>JsonContent</c> would stream them chunked).</summary>
internal static class RequestBodies
{
    public static ByteArrayContent Json<T>(T value, JsonTypeInfo<T> typeInfo)
    {
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(value, typeInfo));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        return content;
    }
}
