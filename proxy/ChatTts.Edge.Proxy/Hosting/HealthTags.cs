namespace ChatTts.Edge.Hosting;

/// <summary>Tags of the health checks each feature registers.</summary>
internal static class HealthTags
{
    /// <summary>Checks <c>GET /readyz</c> runs: whether the edge can serve streams now.</summary>
    public const string Ready = "ready";

    /// <summary>
    /// Checks <c>GET /readyz/pod</c> runs: whether this process can take requests at all (its own files load, it is not
    /// shutting down). GPUs and Redis being down does not count: the edge then answers 503 with Retry-After itself, so
    /// an orchestrator's readiness probe should not take every replica out for it.
    /// </summary>
    public const string Pod = "pod";
}
