using System.Text;
using System.Text.Json;
using ChatTts.Edge.Tests.Infrastructure;
using ChatTts.Emulator;

namespace ChatTts.Edge.Tests.Emulator;

/// <summary>Emulator set-ups and raw requests in each dialect, for tests that talk to an emulator directly.</summary>
internal static class EmulatorKit
{
    /// <summary>Generation step of the paced set-up: 0.5 s of audio, each after 0.5 s of GPU time (real time).</summary>
    public static readonly TimeSpan Step = TimeSpan.FromSeconds(0.5);

    /// <summary>Audio at once: no first-chunk delay, no pacing.</summary>
    public static EmulatorOptions Instant(string dialect) => new()
    {
        Dialect = dialect,
        Engine = SpeechEngine.Synthetic,
        FirstChunkDelay = TimeSpan.Zero,
        RealTimeFactor = 0,
    };

    /// <summary>The first step at once, then each later one after its own duration on <paramref name="time"/>.</summary>
    public static EmulatorOptions Paced(string dialect, TimeProvider time) => new()
    {
        Dialect = dialect,
        Engine = SpeechEngine.Synthetic,
        FirstChunkDelay = TimeSpan.Zero,
        RealTimeFactor = 1.0,
        StepSamples = 12_000,
        TimeProvider = time,
    };

    /// <summary>GPU time of a paced synthesis of that many PCM bytes: every step but the first.</summary>
    public static TimeSpan ComputeTime(int pcmBytes) =>
        TimeSpan.FromSeconds(Math.Max(0, pcmBytes / 48_000.0 - Step.TotalSeconds));

    public static HttpClient Client(EmulatorInstance gpu) => new() { BaseAddress = gpu.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };

    public static string HealthPath(string dialect) => dialect switch
    {
        "forge" => "v1/ping",
        "chattts-ui" => "",
        _ => "health",
    };

    /// <summary>A streaming synthesis request as the dialect's server expects it (bodies with a Content-Length).</summary>
    public static HttpRequestMessage Speech(EmulatorInstance gpu, string text) => gpu.Dialect switch
    {
        "webui" => new(HttpMethod.Post, "v1/tts?stream=true") { Content = Json(new { text, stream = true }) },
        "chattts-openai" => OpenAiSpeech(text),
        "forge" => new(HttpMethod.Get, $"v1/tts?text={Uri.EscapeDataString(text)}&format=raw&stream=true"),
        "chattts-ui" => new(HttpMethod.Post, "tts") { Content = new FormUrlEncodedContent([new("text", text), new("wav", "1")]) },
        _ => throw new ArgumentException($"Unknown dialect {gpu.Dialect}.", nameof(gpu)),
    };

    public static HttpRequestMessage OpenAiSpeech(string text) =>
        new(HttpMethod.Post, "v1/audio/speech") { Content = Json(new { model = "tts-1", input = text, voice = "default", response_format = "wav", stream = true }) };

    /// <summary>A JSON body with a Content-Length (unlike <c>JsonContent</c>, which goes chunked).</summary>
    public static StringContent Json(object body) => Json(JsonSerializer.Serialize(body));

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>Polls until the condition holds; the token bounds the wait.</summary>
    public static async Task UntilAsync(Func<bool> condition, CancellationToken cancellationToken)
    {
        while (!condition())
        {
            await Task.Delay(10, cancellationToken);
        }
    }

    /// <summary>Advances the clock once the emulator has armed a timer on it (its next step, or a trickle's next byte).</summary>
    public static async Task AdvanceWhenArmedAsync(ManualTimeProvider time, TimeSpan by, CancellationToken cancellationToken)
    {
        await UntilAsync(() => time.ArmedTimers > 0, cancellationToken);
        time.Advance(by);
    }
}
