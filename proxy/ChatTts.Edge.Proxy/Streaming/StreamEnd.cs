namespace ChatTts.Edge.Streaming;

/// <summary>The totals a <c>done</c> event reports.</summary>
/// <param name="Segments">How many segments a split long text was spoken in; null when it was not split.</param>
/// <param name="Cached">True when the audio came from the replay cache instead of a GPU.</param>
internal readonly record struct DoneSummary(long Chunks, long Samples, int Characters, TimeSpan TimeToFirstAudio, string Backend, int? Segments = null, bool Cached = false);

/// <summary>What a <c>segment</c> event reports: a segment of a split long text starts here.</summary>
/// <param name="Index">Its place among the text's segments, from 0.</param>
/// <param name="Text">Exactly what its backend was asked to speak.</param>
/// <param name="Start">Where it starts in the request's text, in Unicode characters.</param>
internal readonly record struct SegmentStart(int Index, string Text, int Start);

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
