namespace ChatTts.Edge.LoadTests.Load;

/// <summary>The HTTP client every load model streams with.</summary>
internal static class StreamHttpClient
{
    /// <summary>
    /// HTTP/1.1 unless a request asks for HTTP/2, so one connection per stream under way (at most
    /// <paramref name="connections"/> per server), kept alive between a client's streams; several HTTP/2 connections when
    /// one has no stream left; no proxy from the environment; no timeout, as a stream lasts as long as its audio. A stream
    /// left unfinished closes its connection at once, as a closed browser tab does (no draining it for reuse).
    /// </summary>
    public static HttpClient Create(int? connections = null) => new(new SocketsHttpHandler
    {
        UseProxy = false,
        ConnectTimeout = TimeSpan.FromSeconds(30),
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        MaxConnectionsPerServer = Math.Max(connections ?? int.MaxValue, 1),
        EnableMultipleHttp2Connections = true,
        MaxResponseDrainSize = 0,
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };
}
