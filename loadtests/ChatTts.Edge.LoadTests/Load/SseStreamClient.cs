using System.Net;
using System.Net.ServerSentEvents;
using System.Text;
using System.Text.Json;

namespace ChatTts.Edge.LoadTests.Load;

/// <summary>Reads one <c>GET /v1/tts/stream</c> to its end, as an <c>EventSource</c> would, checks every audio chunk,
/// and tells how it went. Never throws for what the server does; only an unexpected bug escapes.</summary>
/// <param name="headers">Sent with every request (e.g. <c>Authorization</c> for a deployment that needs a key).</param>
/// <param name="meter">Told of every stream and audio event as they happen, for live figures; optional.</param>
/// <param name="http2">Send every request as HTTP/2 exactly (over cleartext: prior knowledge).</param>
internal sealed class SseStreamClient(HttpClient http, TimeProvider time, LoadMeter? meter = null, IReadOnlyDictionary<string, string>? headers = null, bool http2 = false)
{
    private static readonly Dictionary<string, string> NoHeaders = [];

    /// <param name="giveUpAfterAudio">Leave the stream (close the connection) after this many audio events, as a
    /// listener who closes the tab does; null reads it to its end.</param>
    public async Task<StreamOutcome> RunAsync(Uri url, CancellationToken cancellationToken, int? giveUpAfterAudio = null)
    {
        var started = time.GetTimestamp();
        var reading = new Reading(meter);
        meter?.StreamStarted();
        var outcome = await ReadAsync(url, started, reading, giveUpAfterAudio, cancellationToken);
        meter?.StreamEnded(outcome.Succeeded);
        return outcome;
    }

    private async Task<StreamOutcome> ReadAsync(Uri url, long started, Reading reading, int? giveUpAfterAudio, CancellationToken cancellationToken)
    {
        CountingStream? counted = null;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            if (http2)
            {
                request.Version = System.Net.HttpVersion.Version20;
                request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
            }

            request.Headers.Accept.ParseAdd("text/event-stream");
            foreach (var (name, value) in headers ?? NoHeaders)
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }

            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            var quotaCheck = ServerTiming.Duration(response.Headers, "quota");
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return new StreamOutcome(StreamStatus.Refused, started, time.GetTimestamp())
                {
                    HttpStatus = (int)response.StatusCode,
                    Failure = $"HTTP {(int)response.StatusCode}",
                    RetryAfter = response.Headers.RetryAfter?.Delta,
                    QuotaCheck = quotaCheck,
                };
            }

            reading.QuotaCheck = quotaCheck;
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            counted = new CountingStream(body);
            await foreach (var item in SseParser.Create(counted, SseEvent.Parse).EnumerateAsync(cancellationToken))
            {
                reading.Add(item.EventType, item.Data, time.GetElapsedTime(started));
                if (reading.AudioEvents == giveUpAfterAudio)
                {
                    // Leaving closes the connection (the handler drains nothing: see StreamHttpClient).
                    return reading.Outcome(started, time.GetTimestamp(), counted.BytesRead) with { Status = StreamStatus.GaveUp, Failure = null };
                }
            }

            return reading.Outcome(started, time.GetTimestamp(), counted.BytesRead);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return reading.Outcome(started, time.GetTimestamp(), counted?.BytesRead ?? 0) with { Status = StreamStatus.Cut, Failure = "cut" };
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            return reading.Outcome(started, time.GetTimestamp(), counted?.BytesRead ?? 0) with { Status = StreamStatus.Broken, Failure = e.GetType().Name };
        }
    }

    /// <summary>An event as parsed: audio events are checked on the spot (no string is made of their payload),
    /// the others kept as text.</summary>
    private readonly record struct SseEvent(string? Json, AudioEventCheck Audio)
    {
        public static SseEvent Parse(string eventType, ReadOnlySpan<byte> data) =>
            eventType == "audio" ? new(null, AudioEventCheck.Check(data)) : new(Encoding.UTF8.GetString(data), default);
    }

    private sealed class Reading(LoadMeter? meter)
    {
        private readonly List<TimeSpan> _gaps = [];
        private int _audio;
        private long _samples;
        private long _nextSeq;
        private bool _queued;
        private bool _meta;
        private TimeSpan? _firstAudio;
        private TimeSpan _lastAudio;
        private string? _done;
        private string? _error;
        private string? _problem;

        public TimeSpan? QuotaCheck { get; set; }

        public int AudioEvents => _audio;

        public void Add(string eventType, SseEvent item, TimeSpan elapsed)
        {
            switch (eventType)
            {
                case "audio":
                    meter?.AudioEvent();
                    AddAudio(item.Audio, elapsed);
                    break;
                case "meta":
                    _meta = true;
                    break;
                case "queued":
                    _queued = true;
                    break;
                case "done":
                    _done = item.Json;
                    break;
                case "error":
                    _error = item.Json;
                    break;
            }
        }

        public StreamOutcome Outcome(long started, long ended, long bytes)
        {
            var outcome = new StreamOutcome(StreamStatus.Broken, started, ended)
            {
                HttpStatus = 200,
                AudioEvents = _audio,
                AudioSamples = _samples,
                Bytes = bytes,
                Queued = _queued,
                FirstAudio = _firstAudio,
                LastAudio = _firstAudio is null ? null : _lastAudio,
                Gaps = _gaps,
                QuotaCheck = QuotaCheck,
                AudioProblem = _problem,
            };
            return (_error, _done) switch
            {
                ({ } error, _) => outcome with { Status = StreamStatus.ErrorEvent, ErrorCode = Property(error, "code"), Failure = "error " + Property(error, "code") },
                (null, { } done) => outcome with
                {
                    Status = StreamStatus.Done,
                    Backend = Property(done, "backend"),
                    Cached = string.Equals(Property(done, "cached"), "true", StringComparison.OrdinalIgnoreCase),
                    Segments = int.TryParse(Property(done, "segments"), System.Globalization.CultureInfo.InvariantCulture, out var segments) ? segments : null,
                    AudioProblem = _problem ?? DoneProblem(done),
                },
                _ => outcome with { Failure = "ended without done" },
            };
        }

        private void AddAudio(AudioEventCheck audio, TimeSpan elapsed)
        {
            if (_firstAudio is null)
            {
                _firstAudio = elapsed;
            }
            else
            {
                _gaps.Add(elapsed - _lastAudio);
            }

            _lastAudio = elapsed;
            _audio++;
            _samples += audio.Samples;
            _problem ??= audio.Problem is { } p ? $"audio seq {audio.Seq}: {p}"
                : !_meta ? "audio before meta"
                : audio.Seq != _nextSeq ? $"seq {audio.Seq} where {_nextSeq} was due"
                : null;
            _nextSeq = audio.Seq + 1;
        }

        /// <summary>The <c>done</c> event must count what was received: its chunks and samples.</summary>
        private string? DoneProblem(string done)
        {
            var chunks = Property(done, "chunks");
            var samples = Property(done, "samples");
            return chunks != _audio.ToString(System.Globalization.CultureInfo.InvariantCulture) ? $"done says {chunks} chunks, {_audio} came"
                : samples != _samples.ToString(System.Globalization.CultureInfo.InvariantCulture) ? $"done says {samples} samples, {_samples} came"
                : null;
        }

        private static string? Property(string json, string name)
        {
            try
            {
                using var document = JsonDocument.Parse(json);
                return document.RootElement.TryGetProperty(name, out var value) ? value.ToString() : null;
            }
            catch (JsonException)
            {
                return "(not JSON)";
            }
        }
    }
}
