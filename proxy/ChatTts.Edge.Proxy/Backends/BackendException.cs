using System.Net;

namespace ChatTts.Edge.Backends;

/// <summary>How a backend call failed; decides the status code and whether a client may retry.</summary>
internal enum BackendFailureKind
{
    /// <summary>The connection could not be made or broke before a response.</summary>
    Connection,

    /// <summary>The backend answered with a non-success HTTP status.</summary>
    Status,

    /// <summary>The backend answered, but not in its dialect (bad WAV, error JSON, no audio).</summary>
    Protocol,

    /// <summary>The audio stream ended early or broke after it started.</summary>
    Interrupted,
}

/// <summary>A failed synthesis on one backend. Messages are safe to show to clients.</summary>
internal sealed class BackendException : Exception
{
    public BackendException()
    {
    }

    public BackendException(string message)
        : base(message)
    {
    }

    public BackendException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public BackendException(BackendFailureKind kind, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
    }

    public BackendFailureKind Kind { get; init; } = BackendFailureKind.Protocol;

    public HttpStatusCode? StatusCode { get; init; }

    public TimeSpan? RetryAfter { get; init; }

    /// <summary>True when the same request could succeed later or elsewhere.</summary>
    public bool IsTransient => Kind is BackendFailureKind.Connection or BackendFailureKind.Interrupted
        || StatusCode is HttpStatusCode.TooManyRequests || (int?)StatusCode >= 500;
}
