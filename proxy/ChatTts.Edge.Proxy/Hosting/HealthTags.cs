namespace ChatTts.Edge.Hosting;

/// <summary>Tags of the health checks each feature registers.</summary>
internal static class HealthTags
{
    /// <summary>Checks <c>GET /readyz</c> runs: whether the edge can serve streams now.</summary>
    public const string Ready = "ready";
}
