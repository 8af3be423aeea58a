namespace ChatTts.Edge.Api;

/// <summary>Section <c>Edge:Cors</c>: which browser origins may call the API from their own pages.</summary>
internal sealed class EdgeCorsOptions
{
    public const string SectionName = "Edge:Cors";

    /// <summary>
    /// Origins such as <c>https://app.example.com</c>; <c>*</c> allows any. Empty (the default) allows the
    /// edge's own origin only: the playground works, other sites' pages get no CORS headers.
    /// </summary>
    public IList<string> AllowedOrigins { get; } = [];
}
