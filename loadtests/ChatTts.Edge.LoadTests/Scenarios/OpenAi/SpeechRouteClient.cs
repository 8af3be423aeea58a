using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using ChatTts.Edge.LoadTests.Load;

namespace ChatTts.Edge.LoadTests.Scenarios.OpenAi;

/// <summary>One stream of the scenario: its route, whether it was measured, its time to first audio, or why it failed.</summary>
internal sealed record RouteStream(SpeechRoute Route, bool Measured, TimeSpan? FirstAudio, string? Failure);

/// <summary>
/// One route's client: one kept-alive connection, one stream at a time, each read to its end. The edge's own route goes through
/// the runner's <see cref="SseStreamClient"/> (which checks every audio event); OpenAI's through this class, which times the first
/// audio bytes (the body's, or the first <c>speech.audio.delta</c>'s) and checks that the answer is complete.
/// </summary>
internal sealed class SpeechRouteClient(SpeechRoute route, Uri proxy, TimeProvider time) : IDisposable
{
    private static readonly TimeSpan StreamTimeout = TimeSpan.FromSeconds(30);
    private static readonly byte[] DeltaMarker = "\"type\":\"speech.audio.delta\""u8.ToArray();
    private static readonly byte[] DoneMarker = "\"type\":\"speech.audio.done\""u8.ToArray();

    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10) })
    {
        BaseAddress = proxy,
        Timeout = Timeout.InfiniteTimeSpan,
    };

    public SpeechRoute Route => route;

    public async Task<RouteStream> RunAsync(bool measured, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(StreamTimeout, time);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            if (route == SpeechRoute.TtsStream)
            {
                var url = new Uri(proxy, "/v1/tts/stream?text=" + Uri.EscapeDataString(OpenAiSettings.Text));
                var outcome = await new SseStreamClient(_http, time).RunAsync(url, either.Token);
                var failure = outcome.Status != StreamStatus.Done ? outcome.Failure ?? outcome.Status.ToString() : outcome.AudioProblem;
                return new RouteStream(route, measured, failure is null ? outcome.FirstAudio : null, failure);
            }

            return await OpenAiAsync(measured, either.Token);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return new RouteStream(route, measured, null, ex.GetType().Name + ": " + ex.Message);
        }
    }

    private async Task<RouteStream> OpenAiAsync(bool measured, CancellationToken cancellationToken)
    {
        var sse = route == SpeechRoute.OpenAiSse;
        var started = time.GetTimestamp();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/audio/speech")
        {
            Content = JsonContent.Create(new Dictionary<string, string>
            {
                ["model"] = "tts-1",
                ["input"] = OpenAiSettings.Text,
                ["voice"] = "alloy",
                ["response_format"] = "pcm",
                ["stream_format"] = sse ? "sse" : "audio",
            }),
        };
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            return new RouteStream(route, measured, null, string.Create(CultureInfo.InvariantCulture, $"HTTP {(int)response.StatusCode}"));
        }

        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        TimeSpan? first = null;
        int read;
        while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            received.Write(buffer, 0, read);
            if (first is null && (!sse || received.GetBuffer().AsSpan(0, (int)received.Length).IndexOf(DeltaMarker) >= 0))
            {
                first = time.GetElapsedTime(started);
            }
        }

        var all = received.GetBuffer().AsSpan(0, (int)received.Length);
        var failure = first is null ? "no audio" : sse ? (all.IndexOf(DoneMarker) < 0 ? "no speech.audio.done: " + Tail(all) : null) : (all.Length % 2 != 0 ? "half a sample" : null);
        return new RouteStream(route, measured, failure is null ? first : null, failure);
    }

    private static string Tail(ReadOnlySpan<byte> body) => Encoding.UTF8.GetString(body[Math.Max(0, body.Length - 200)..]);

    public void Dispose() => _http.Dispose();
}
