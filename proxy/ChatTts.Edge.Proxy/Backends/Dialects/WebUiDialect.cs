using System.Buffers;
using System.Buffers.Text;
using System.Net.ServerSentEvents;
using System.Text;
using ChatTts.Edge.Audio;

namespace ChatTts.Edge.Backends.Dialects;

/// <summary>
/// ChatTTS WebUI's HTTP API: <c>POST /v1/tts?stream=true</c> with a JSON body, answered with
/// <c>text/event-stream</c> whose events carry base64 s16le PCM.
/// </summary>
internal sealed class WebUiDialect : IBackendDialect
{
    public const string DialectName = "webui";

    public string Name => DialectName;

    public string HealthPath => "health";

    /// <summary>Nothing says this server stops when its client leaves: its slot stays taken while it may still compute.</summary>
    public TimeSpan FinishingTimeout => DialectDefaults.KeepsComputing;

    public UnsupportedField? Unsupported(BackendRequest request) =>
        request.Voice is null ? null : new UnsupportedField("voice", "webui servers have no voices (leave voice out)");

    public HttpRequestMessage CreateRequest(Uri baseAddress, BackendRequest request) =>
        new(HttpMethod.Post, BackendUri.Combine(baseAddress, "v1/tts?stream=true"))
        {
            Content = RequestBodies.Json(
                new Body(request.Text, request.Seed, Stream: true, request.Temperature, request.TopP, request.TopK),
                DialectJsonContext.Default.WebUiBody),
        };

    public async Task ReadAudioAsync(HttpResponseMessage response, IPcmSink sink, BackendLimits limits, CancellationToken cancellationToken)
    {
        await using var body = new EventSizeLimit(await response.Content.ReadAsStreamAsync(cancellationToken), limits.MaxEventBytes);
        using var decoder = new EventDecoder();
        var parser = SseParser.Create(body, decoder.Parse);
        await foreach (var item in parser.EnumerateAsync(cancellationToken))
        {
            switch (item.Data)
            {
                case EventKind.Audio:
                    await sink.WriteAsync(new ReadOnlySequence<byte>(decoder.Pcm), cancellationToken);
                    break;
                case EventKind.Error:
                    throw new BackendException(BackendFailureKind.Protocol, $"the backend reported an error: {BackendException.Quote(decoder.ErrorMessage)}");
            }
        }
    }

    internal sealed record Body(string Text, int? Seed, bool Stream, double? Temperature, double? TopP, int? TopK);

    private enum EventKind { Ignored, Audio, Error }

    /// <summary>Decodes each event's base64 payload into one reused, pooled buffer.</summary>
    private sealed class EventDecoder : IDisposable
    {
        private byte[] _buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);

        public ReadOnlyMemory<byte> Pcm { get; private set; }

        public string? ErrorMessage { get; private set; }

        public EventKind Parse(string eventType, ReadOnlySpan<byte> data)
        {
            if (eventType == "error")
            {
                ErrorMessage = Encoding.UTF8.GetString(data);
                return EventKind.Error;
            }

            if (eventType is not (SseParser.EventTypeDefault or "audio") || data.IsEmpty)
            {
                return EventKind.Ignored;
            }

            var needed = Base64.GetMaxDecodedFromUtf8Length(data.Length);
            if (needed > _buffer.Length)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = ArrayPool<byte>.Shared.Rent(needed);
            }

            if (Base64.DecodeFromUtf8(data, _buffer, out _, out var written) != OperationStatus.Done)
            {
                throw new BackendException(BackendFailureKind.Protocol, "the backend sent an event whose data is not base64 audio");
            }

            Pcm = _buffer.AsMemory(0, written);
            return EventKind.Audio;
        }

        public void Dispose() => ArrayPool<byte>.Shared.Return(_buffer);
    }
}
