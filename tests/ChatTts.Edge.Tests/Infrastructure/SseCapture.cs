using System.Net;
using System.Net.Http.Headers;
using System.Net.ServerSentEvents;
using System.Text;
using System.Text.Json;

namespace ChatTts.Edge.Tests.Infrastructure;

/// <summary>One whole response of the streaming endpoint, read as a browser's EventSource would read it.</summary>
internal sealed class SseCapture
{
    public required HttpStatusCode Status { get; init; }

    public required HttpResponseHeaders Headers { get; init; }

    public required HttpContentHeaders ContentHeaders { get; init; }

    public required string Body { get; init; }

    public IReadOnlyList<SseItem<string>> Events => SseParser.Create(new MemoryStream(Encoding.UTF8.GetBytes(Body))).Enumerate().ToList();

    public IEnumerable<string> EventTypes => Events.Select(e => e.EventType);

    public IEnumerable<JsonElement> Data(string eventType) =>
        Events.Where(e => e.EventType == eventType).Select(e => JsonDocument.Parse(e.Data).RootElement);

    public JsonElement Single(string eventType) => Assert.Single(Data(eventType));

    /// <summary>Each audio event's WAV, checked to be a standalone file, with its PCM concatenated in order.</summary>
    public byte[] AudioPcm() =>
        Data("audio").SelectMany(a => WavAssert.IsStandalone(a.GetProperty("audio").GetBytesFromBase64())).ToArray();

    public static async Task<SseCapture> GetAsync(HttpClient client, string pathAndQuery, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, pathAndQuery);
        request.Headers.Accept.ParseAdd("text/event-stream");
        return await SendAsync(client, request, cancellationToken);
    }

    public static async Task<SseCapture> SendAsync(HttpClient client, HttpRequestMessage request, CancellationToken cancellationToken = default)
    {
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        return new SseCapture
        {
            Status = response.StatusCode,
            Headers = response.Headers,
            ContentHeaders = response.Content.Headers,
            Body = await response.Content.ReadAsStringAsync(cancellationToken),
        };
    }
}
