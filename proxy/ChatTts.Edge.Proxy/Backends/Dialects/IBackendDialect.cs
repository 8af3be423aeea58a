using ChatTts.Edge.Audio;
using ChatTts.Edge.Streaming;

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

    /// <summary>Builds the synthesis request for a destination whose address is <paramref name="baseAddress"/>.</summary>
    HttpRequestMessage CreateRequest(Uri baseAddress, SpeechRequest request);

    /// <summary>
    /// Reads a successful (2xx) response to its end, passing PCM to <paramref name="sink"/> as it arrives.
    /// Throws <see cref="BackendException"/> when the response is not valid audio.
    /// </summary>
    Task ReadAudioAsync(HttpResponseMessage response, IPcmSink sink, CancellationToken cancellationToken);
}
