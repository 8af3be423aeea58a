using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using ChatTts.Edge.LoadTests.Load;

namespace ChatTts.Edge.LoadTests.Scenarios.Overhead;

/// <summary>A raw stream as its client saw it, and when the first step's worth of PCM had arrived.</summary>
/// <param name="FirstStep">From sending the request to the first <see cref="OverheadSettings.StepBytes"/> bytes of
/// PCM (what the edge's first audio event carries); null when fewer came.</param>
internal sealed record RawStreamOutcome(StreamOutcome Stream, TimeSpan? FirstStep);

/// <summary>
/// Reads one <c>chattts-openai</c> stream to its end, as the edge reads it from a backend: <c>POST /v1/audio/speech</c>
/// with <c>{"model":"tts-1","input","voice","response_format":"wav","stream":true}</c>, answered with a 44-byte WAV
/// header whose sizes are <c>0xFFFFFFFF</c> and then raw s16le PCM. Its time to first audio runs from sending the
/// request to the first PCM byte after the header. Never throws for what the server does.
/// </summary>
/// <param name="meter">Told of every stream, and of every step's worth of PCM as an audio event (for the progress line).</param>
internal sealed class RawStreamClient(HttpClient http, TimeProvider time, LoadMeter meter)
{
    private const int HeaderBytes = 44;
    private const int BufferBytes = 16 * 1024;

    public async Task<RawStreamOutcome> RunAsync(Uri url, string text, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(url);
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = Body(text) };
        var reading = new Reading(meter);
        var started = time.GetTimestamp();
        meter.StreamStarted();
        var outcome = await ReadAsync(request, started, reading, cancellationToken);
        meter.StreamEnded(outcome.Succeeded);
        return new RawStreamOutcome(outcome, reading.FirstStep);
    }

    /// <summary>The request body, made before the clock starts (the edge's URL is made before its clock starts too).</summary>
    private static ByteArrayContent Body(string text)
    {
        var body = new ArrayBufferWriter<byte>(128 + (text.Length * 2));
        using (var json = new Utf8JsonWriter(body))
        {
            json.WriteStartObject();
            json.WriteString("model", "tts-1");
            json.WriteString("input", text);
            json.WriteString("voice", OverheadSettings.Voice);
            json.WriteString("response_format", "wav");
            json.WriteBoolean("stream", true);
            json.WriteEndObject();
        }

        var content = new ByteArrayContent(body.WrittenSpan.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    private async Task<StreamOutcome> ReadAsync(HttpRequestMessage request, long started, Reading reading, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferBytes);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return new StreamOutcome(StreamStatus.Refused, started, time.GetTimestamp())
                {
                    HttpStatus = (int)response.StatusCode,
                    Failure = $"HTTP {(int)response.StatusCode}",
                    RetryAfter = response.Headers.RetryAfter?.Delta,
                };
            }

            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            int read;
            while ((read = await body.ReadAsync(buffer.AsMemory(0, BufferBytes), cancellationToken)) > 0)
            {
                reading.Add(buffer.AsSpan(0, read), time.GetElapsedTime(started));
            }

            return reading.Outcome(started, time.GetTimestamp());
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return reading.Outcome(started, time.GetTimestamp()) with { Status = StreamStatus.Cut, Failure = "cut" };
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            return reading.Outcome(started, time.GetTimestamp()) with { Status = StreamStatus.Broken, Failure = e.GetType().Name };
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The body as it arrives: the header collected and checked, the PCM counted and timed.</summary>
    private sealed class Reading(LoadMeter meter)
    {
        private readonly byte[] _header = new byte[HeaderBytes];
        private int _headerFilled;
        private long _pcm;
        private TimeSpan? _firstAudio;
        private string? _problem;

        public TimeSpan? FirstStep { get; private set; }

        public void Add(ReadOnlySpan<byte> data, TimeSpan elapsed)
        {
            if (_headerFilled < HeaderBytes)
            {
                var take = Math.Min(HeaderBytes - _headerFilled, data.Length);
                data[..take].CopyTo(_header.AsSpan(_headerFilled));
                _headerFilled += take;
                data = data[take..];
                if (_headerFilled == HeaderBytes)
                {
                    _problem ??= HeaderProblem(_header);
                }
            }

            if (data.IsEmpty)
            {
                return;
            }

            _firstAudio ??= elapsed;
            var before = _pcm;
            _pcm += data.Length;
            if (FirstStep is null && _pcm >= OverheadSettings.StepBytes)
            {
                FirstStep = elapsed;
            }

            for (var step = before / OverheadSettings.StepBytes; step < _pcm / OverheadSettings.StepBytes; step++)
            {
                meter.AudioEvent();
            }
        }

        public StreamOutcome Outcome(long started, long ended) => new(StreamStatus.Done, started, ended)
        {
            HttpStatus = 200,
            AudioSamples = _pcm / 2,
            Bytes = _headerFilled + _pcm,
            FirstAudio = _firstAudio,
            AudioProblem = _problem
                ?? (_headerFilled < HeaderBytes ? "the stream ended inside its WAV header"
                : _pcm == 0 ? "no PCM after the WAV header"
                : _pcm % 2 != 0 ? "an odd number of PCM bytes (not whole samples)"
                : null),
        };

        /// <summary>The streaming header of <c>chattts-openai</c>: RIFF and data sizes <c>0xFFFFFFFF</c>, PCM, 24 kHz,
        /// mono, 16-bit.</summary>
        private static string? HeaderProblem(ReadOnlySpan<byte> wav) =>
            !wav[..4].SequenceEqual("RIFF"u8) || !wav[8..16].SequenceEqual("WAVEfmt "u8) || !wav[36..40].SequenceEqual("data"u8)
                ? "WAV header lacks RIFF/WAVE/fmt/data"
            : UInt32(wav, 4) != uint.MaxValue || UInt32(wav, 40) != uint.MaxValue ? "not a streaming WAV header (sizes are not 0xFFFFFFFF)"
            : UInt32(wav, 16) != 16 || UInt16(wav, 20) != 1 ? "not a PCM fmt chunk"
            : UInt16(wav, 22) != 1 || UInt32(wav, 24) != 24_000 || UInt16(wav, 34) != 16 ? "not 24 kHz mono 16-bit"
            : UInt32(wav, 28) != 48_000 || UInt16(wav, 32) != 2 ? "byte rate or block align wrong"
            : null;

        private static uint UInt32(ReadOnlySpan<byte> wav, int offset) => BinaryPrimitives.ReadUInt32LittleEndian(wav[offset..]);

        private static ushort UInt16(ReadOnlySpan<byte> wav, int offset) => BinaryPrimitives.ReadUInt16LittleEndian(wav[offset..]);
    }
}
