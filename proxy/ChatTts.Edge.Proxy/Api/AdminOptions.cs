namespace ChatTts.Edge.Api;

/// <summary>Section <c>Edge:Admin</c>: who may read the proxy's status endpoints.</summary>
internal sealed class AdminOptions
{
    public const string SectionName = "Edge:Admin";

    /// <summary>
    /// The key that <c>/admin/*</c> requests must carry in <c>X-Admin-Key</c> (or as <c>Authorization: Bearer …</c>).
    /// When empty, <c>/admin/*</c> answers only requests from the loopback interface.
    /// </summary>
    public string? ApiKey { get; set; }
}
