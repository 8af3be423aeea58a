namespace ChatTts.Edge.LoadTests.Environment;

/// <summary>The local environment could not be started; the run stops with exit code 2.</summary>
internal sealed class EnvironmentException : Exception
{
    public EnvironmentException(string message, string details = "", Exception? innerException = null)
        : base(message, innerException) => Details = details;

    /// <summary>More lines for the console, e.g. the proxy's output; empty or ending with a new line.</summary>
    public string Details { get; }
}
