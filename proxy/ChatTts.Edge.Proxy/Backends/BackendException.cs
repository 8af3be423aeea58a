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

    /// <summary>No first audio within the first-audio timeout, or a silence longer than the idle timeout.</summary>
    Timeout,

    /// <summary>
    /// The backend refused the request itself as invalid (a validation error in its own words): the client's mistake,
    /// not the GPU's, so it is neither retried nor counted against the backend's health.
    /// </summary>
    Rejected,
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

    /// <summary>A backend's own words, fit to pass on: one line, at most 200 characters.</summary>
    public static string Quote(string? backendText)
    {
        var line = string.Join(' ', (backendText ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return line.Length <= 200 ? line : string.Concat(line.AsSpan(0, 199), "…");
    }

    /// <summary>True when the same request could succeed later or elsewhere.</summary>
    public bool IsTransient => Kind is BackendFailureKind.Connection or BackendFailureKind.Interrupted or BackendFailureKind.Timeout
        || (Kind is BackendFailureKind.Status && (StatusCode is HttpStatusCode.TooManyRequests || (int?)StatusCode >= 500));
}
