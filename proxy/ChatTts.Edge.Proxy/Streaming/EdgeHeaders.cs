namespace ChatTts.Edge.Streaming;

internal static class EdgeHeaders
{
    public const string RequestId = "X-Request-Id";
}
