using System.Collections.Concurrent;
using ChatTts.Emulator.Wav;
using Microsoft.Extensions.Logging;

namespace ChatTts.Emulator.Speech;

/// <summary>Turns a <see cref="SpeechKey"/> into s16le PCM with the configured engine, once per key:
/// the result is cached, so repeated requests are cheap and <c>ProducedPcm</c> sees the exact bytes sent.
/// Falls back to the synthetic voice when espeak-ng fails, so non-empty text never gives empty audio.</summary>
internal sealed class SpeechSynthesizer
{
    private const int MaxCachedKeys = 512;

    private readonly EspeakEngine? _espeak;
    private readonly ConcurrentDictionary<SpeechKey, Lazy<Task<byte[]>>> _cache = new();

    public SpeechSynthesizer(SpeechEngine engine, TimeProvider timeProvider, ILogger<SpeechSynthesizer> logger)
    {
        var espeak = engine == SpeechEngine.Synthetic ? null : EspeakEngine.Locate();
        if (engine == SpeechEngine.Espeak && espeak is null)
        {
            throw new InvalidOperationException("Engine is Espeak but espeak-ng is not on PATH (apt-get install espeak-ng).");
        }

        _espeak = espeak is null ? null : new EspeakEngine(espeak, timeProvider, logger);
    }

    public string EngineName => _espeak is null ? "synthetic" : "espeak-ng";

    public Task<byte[]> GetPcmAsync(SpeechKey key)
    {
        if (_cache.Count >= MaxCachedKeys && !_cache.ContainsKey(key))
        {
            _cache.Clear();
        }

        return _cache.GetOrAdd(key, k => new Lazy<Task<byte[]>>(() => SynthesizeAsync(k))).Value;
    }

    private async Task<byte[]> SynthesizeAsync(SpeechKey key)
    {
        var samples = _espeak is null ? null : await _espeak.SynthesizeAsync(key);
        if (samples is not { Length: > 0 })
        {
            samples = SyntheticVoice.Synthesize(key);
        }

        return Pcm16.ToBytes(samples.Length > 0 ? samples : new short[PcmFormat.SampleRate / 10]);
    }
}
