namespace ChatTts.Edge.Api;

internal static class EdgeHeaders
{
    public const string RequestId = "X-Request-Id";
}
