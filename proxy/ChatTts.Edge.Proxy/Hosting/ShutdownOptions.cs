using System.ComponentModel.DataAnnotations;

namespace ChatTts.Edge.Hosting;

/// <summary>Section <c>Edge:Shutdown</c>: what happens to open streams when the proxy is asked to stop (SIGTERM).</summary>
internal sealed class ShutdownOptions
{
    public const string SectionName = "Edge:Shutdown";

    /// <summary>
    /// How long open streams may go on after a stop signal; the rest then end with an <c>error</c> event
    /// (<c>shutting_down</c>, retryable). New requests are refused at once (503); queued ones are still served.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Time after the drain timeout for the last <c>error</c> events to reach clients before connections are cut.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);
}
