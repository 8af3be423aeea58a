using System.Net;
using System.Net.ServerSentEvents;
using System.Text;
using System.Text.Json;

namespace ChatTts.Edge.LoadTests.Load;

/// <summary>Reads one <c>GET /v1/tts/stream</c> to its end, as an <c>EventSource</c> would, and tells how it went.
/// Never throws for what the server does; only an unexpected bug escapes.</summary>
internal sealed class SseStreamClient(HttpClient http, TimeProvider time)
{
    public async Task<StreamOutcome> RunAsync(Uri url, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var reading = new Reading();
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Accept.ParseAdd("text/event-stream");
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            var quotaCheck = ServerTiming.Duration(response.Headers, "quota");
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return new StreamOutcome(StreamStatus.Refused, started, time.GetTimestamp())
                {
                    Failure = $"HTTP {(int)response.StatusCode}",
                    RetryAfter = response.Headers.RetryAfter?.Delta,
                    QuotaCheck = quotaCheck,
                };
            }

            reading.QuotaCheck = quotaCheck;
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            await foreach (var item in SseParser.Create(body, KeepAllButAudio).EnumerateAsync(cancellationToken))
            {
                reading.Add(item, time.GetElapsedTime(started));
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
    }

    // Audio payloads are counted, not decoded: no string is made for them.
    private static string? KeepAllButAudio(string eventType, ReadOnlySpan<byte> data) =>
        eventType == "audio" ? null : Encoding.UTF8.GetString(data);

    private sealed class Reading
    {
        private int _audio;
        private bool _queued;
        private TimeSpan? _firstAudio;
        private string? _done;
        private string? _error;

        public TimeSpan? QuotaCheck { get; set; }

        public void Add(SseItem<string?> item, TimeSpan elapsed)
        {
            switch (item.EventType)
            {
                case "audio":
                    _audio++;
                    _firstAudio ??= elapsed;
                    break;
                case "queued":
                    _queued = true;
                    break;
                case "done":
                    _done = item.Data;
                    break;
                case "error":
                    _error = item.Data;
                    break;
            }
        }

        public StreamOutcome Outcome(long started, long ended)
        {
            var outcome = new StreamOutcome(StreamStatus.Broken, started, ended)
            {
                AudioEvents = _audio,
                Queued = _queued,
                FirstAudio = _firstAudio,
                QuotaCheck = QuotaCheck,
            };
            return (_error, _done) switch
            {
                ({ } error, _) => outcome with { Status = StreamStatus.ErrorEvent, Failure = "error " + Property(error, "code") },
                (null, { } done) => outcome with { Status = StreamStatus.Done, Backend = Property(done, "backend") },
                _ => outcome with { Failure = "ended without done" },
            };
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
