using System.Net;
using System.Text.Json;

namespace ChatTts.Edge.Tests.Infrastructure;

/// <summary>Reads <c>GET /admin/backends</c> (from loopback, so no admin key is needed).</summary>
internal static class FleetStatus
{
    public static async Task<JsonElement> GetAsync(HttpClient client, CancellationToken cancellationToken = default)
    {
        using var response = await client.GetAsync("/admin/backends", cancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken)).RootElement.Clone();
    }

    public static async Task<JsonElement> DestinationAsync(HttpClient client, string id, CancellationToken cancellationToken = default) =>
        Destination(await GetAsync(client, cancellationToken), id) ?? throw new InvalidOperationException($"No destination '{id}' in /admin/backends.");

    public static JsonElement? Destination(JsonElement status, string id)
    {
        foreach (var destination in status.GetProperty("destinations").EnumerateArray())
        {
            if (destination.GetProperty("id").GetString() == id)
            {
                return destination;
            }
        }

        return null;
    }

    /// <summary>Polls until <paramref name="condition"/> holds for the status (bounded by the token).</summary>
    public static async Task<JsonElement> WaitUntilAsync(HttpClient client, Func<JsonElement, bool> condition, CancellationToken cancellationToken)
    {
        while (true)
        {
            var status = await GetAsync(client, cancellationToken);
            if (condition(status))
            {
                return status;
            }

            await Task.Delay(50, cancellationToken);
        }
    }
}
