namespace ChatTts.Edge.Api;

/// <summary>
/// The edge's own limits on a request's line and headers. Kestrel answers requests over its limits with a bare status
/// and no body, before any middleware runs; so Kestrel's limits are set at <see cref="KestrelFactor"/> times these, and
/// <see cref="ProblemResponsesApplicationBuilderExtensions.UseEdgeProblemResponses"/> enforces these with
/// problem+json answers. Only a request beyond Kestrel's backstop gets the bare status.
/// </summary>
internal static class HttpLimits
{
    public const int KestrelFactor = 2;

    /// <summary>Largest JSON body accepted by <c>POST /v1/tts/stream</c> (the text limit in 4-byte UTF-8 plus fields).</summary>
    public const int MaxBodyBytes = 64 * 1024;

    /// <summary>Kestrel's own default for the headers of a request.</summary>
    public const int MaxRequestHeadersTotalBytes = 32 * 1024;

    /// <summary>
    /// An <c>EventSource</c> can only GET: the longest allowed text, percent-encoded (up to 12 bytes a character), must
    /// fit in the request line, with room for the other fields.
    /// </summary>
    public static int MaxRequestLineBytes(int maxTextCharacters) => Math.Max(8 * 1024, (maxTextCharacters * 12) + 4096);
}
