using System.Net;
using ChatTts.Edge.LoadTests.Environment;
using ChatTts.Edge.TestKit;

namespace ChatTts.Edge.LoadTests.Scenarios.Streams;

/// <summary>Finds which of the proxy's addresses speaks cleartext HTTP/2: the one that answers <c>/healthz</c> over it.</summary>
internal static class Http2Endpoint
{
    /// <exception cref="EnvironmentException">None does.</exception>
    public static async Task<Uri> FindAsync(IReadOnlyList<Uri> addresses, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };
        foreach (var address in addresses)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(address, "/healthz"))
            {
                Version = HttpVersion.Version20,
                VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            };
            try
            {
                using var response = await http.SendAsync(request, cancellationToken);
                if (response.Version == HttpVersion.Version20)
                {
                    return address;
                }
            }
            catch (HttpRequestException)
            {
                // An HTTP/1.1 endpoint does not understand the HTTP/2 preface.
            }
        }

        throw new EnvironmentException($"None of the proxy's addresses ({string.Join(", ", addresses)}) speaks HTTP/2 over cleartext.");
    }
}
