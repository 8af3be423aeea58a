namespace ChatTts.Edge.Streaming;

/// <summary>The totals a <c>done</c> event reports.</summary>
internal readonly record struct DoneSummary(long Chunks, long Samples, int Characters, TimeSpan TimeToFirstAudio, string Backend);

/// <summary>What an <c>error</c> event reports.</summary>
internal readonly record struct StreamError(string Code, string Message, bool Retryable);

/// <summary>The client closed the stream, or stopped reading it; nothing more can be sent to it.</summary>
internal sealed class ClientGoneException : OperationCanceledException
{
    public ClientGoneException()
        : base("The client closed the stream.")
    {
    }

    public ClientGoneException(string message)
        : base(message)
    {
    }

    public ClientGoneException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
