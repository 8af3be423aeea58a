namespace ChatTts.Edge.LoadTests.Scenarios.Tls;

/// <summary>How a stream reaches the proxy in the TLS scenario.</summary>
internal enum TlsMode
{
    /// <summary>Plain HTTP, a new TCP connection per stream: the baseline.</summary>
    Plain,

    /// <summary>HTTPS with the client certificate, a new connection and a full handshake (resumption off) per stream.</summary>
    MtlsFull,

    /// <summary>HTTPS with the client certificate, a new connection per stream that resumes the last TLS session.</summary>
    MtlsResumed,

    /// <summary>HTTPS with the client certificate over one kept-alive connection: no handshake per stream.</summary>
    MtlsKeepAlive,
}

/// <summary>Each mode's name in reports and what it does.</summary>
internal static class TlsModes
{
    public static IReadOnlyList<TlsMode> All { get; } = [TlsMode.Plain, TlsMode.MtlsFull, TlsMode.MtlsResumed, TlsMode.MtlsKeepAlive];

    public static string Name(this TlsMode mode) => mode switch
    {
        TlsMode.Plain => "plain",
        TlsMode.MtlsFull => "mtls-full",
        TlsMode.MtlsResumed => "mtls-resumed",
        TlsMode.MtlsKeepAlive => "mtls-keepalive",
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, null),
    };

    public static bool UsesTls(this TlsMode mode) => mode != TlsMode.Plain;

    /// <summary>Whether every stream opens a new connection (all but <see cref="TlsMode.MtlsKeepAlive"/>).</summary>
    public static bool ConnectsPerStream(this TlsMode mode) => mode != TlsMode.MtlsKeepAlive;

    public static string Description(this TlsMode mode) => mode switch
    {
        TlsMode.Plain => "HTTP to the plain endpoint; a new SocketsHttpHandler, hence a new TCP connection, per stream",
        TlsMode.MtlsFull => "HTTPS to the mTLS endpoint with the client certificate; a new SocketsHttpHandler per stream with " +
            "SslOptions.AllowTlsResume = false, hence a new TCP connection and a full handshake per stream",
        TlsMode.MtlsResumed => "HTTPS to the mTLS endpoint with the client certificate; one SocketsHttpHandler with " +
            "PooledConnectionLifetime = 0 (a new TCP connection per stream) and AllowTlsResume = true, so each handshake " +
            "may resume the session of the one before",
        TlsMode.MtlsKeepAlive => "HTTPS to the mTLS endpoint with the client certificate; one SocketsHttpHandler and one " +
            "kept-alive connection for every stream (opened during the warm-up): the floor, no handshake per stream",
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, null),
    };
}
