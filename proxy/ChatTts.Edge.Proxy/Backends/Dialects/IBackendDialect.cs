using ChatTts.Edge.Audio;

namespace ChatTts.Edge.Backends.Dialects;

/// <summary>
/// One ChatTTS server family's HTTP API: how to ask it for speech and how to read its answer back
/// as plain PCM. Chosen per destination by <c>Metadata.Dialect</c>.
/// </summary>
internal interface IBackendDialect
{
    /// <summary>The value of <c>Metadata.Dialect</c> that selects this dialect (a configuration contract).</summary>
    string Name { get; }

    /// <summary>The path the server answers health probes on, relative to its base address.</summary>
    string HealthPath { get; }

    /// <summary>
    /// How long such a server may go on computing after the edge abandons a synthesis (the client went away, a timeout,
    /// shutdown): its GPU slot stays taken until the answer ends, for at most this long. Zero for a server that stops
    /// as soon as its client leaves. <c>Metadata.FinishingTimeout</c> overrides it per destination.
    /// </summary>
    TimeSpan FinishingTimeout { get; }

    /// <summary>Null when such a server can honour <paramref name="request"/>; otherwise the field it cannot.</summary>
    UnsupportedField? Unsupported(BackendRequest request);

    /// <summary>
    /// Builds the synthesis request for a destination whose address is <paramref name="baseAddress"/>. Bodies carry a
    /// <c>Content-Length</c>: some servers and middleboxes read no chunked request bodies.
    /// </summary>
    HttpRequestMessage CreateRequest(Uri baseAddress, BackendRequest request);

    /// <summary>
    /// Reads a successful (2xx) response to its end, passing PCM to <paramref name="sink"/> as it arrives, within
    /// <paramref name="limits"/>. Throws <see cref="BackendException"/> when the response is not valid audio.
    /// </summary>
    Task ReadAudioAsync(HttpResponseMessage response, IPcmSink sink, BackendLimits limits, CancellationToken cancellationToken);
}
