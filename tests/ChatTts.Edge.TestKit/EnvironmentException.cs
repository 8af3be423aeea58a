namespace ChatTts.Edge.TestKit;

/// <summary>
/// A process the kit starts (the proxy, <c>redis-server</c>, nginx) could not be started, was not ready, or did not
/// answer: a test fails with it, and the load-test runner stops with exit code 2.
/// </summary>
internal sealed class EnvironmentException : Exception
{
    public EnvironmentException(string message, string details = "", Exception? innerException = null)
        : base(message, innerException) => Details = details;

    /// <summary>More lines for the console, e.g. the proxy's output; empty or ending with a new line.</summary>
    public string Details { get; }
}
