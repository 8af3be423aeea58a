namespace ChatTts.Edge.LoadTests.CommandLine;

/// <summary>The command line is wrong; the run stops with exit code 2 and this one-line message.</summary>
internal sealed class UsageException(string message) : Exception(message);
