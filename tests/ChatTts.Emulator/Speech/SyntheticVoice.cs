using System.Text;
using ChatTts.Emulator.Wav;

namespace ChatTts.Emulator.Speech;

/// <summary>A deterministic, vaguely speech-like voice: one 60–90 ms voiced syllable per character
/// (harmonics shaped by vowel formants, a falling glide, a soft consonant burst), pauses for spaces
/// and punctuation. Voice pitch and timbre come from the seed and voice; everything is integer or
/// IEEE-exact arithmetic, so the bytes are the same on every machine.</summary>
internal static class SyntheticVoice
{
    private const int Rate = PcmFormat.SampleRate;
    private const double Peak = 0.45 * short.MaxValue;
    private const double TopFrequency = 3800;

    private static readonly (double F1, double F2, double F3)[] Vowels =
    [
        (730, 1090, 2440), (530, 1840, 2480), (270, 2290, 3010), (570, 840, 2410), (300, 870, 2240),
    ];

    public static short[] Synthesize(SpeechKey key)
    {
        var voice = StableHash.Of(key.Seed, key.Voice);
        var pitch = 95.0 + (voice % 120);
        var formantScale = 0.92 + ((voice >> 8) % 20 / 100.0);
        var output = new List<short>(key.Text.Length * Rate / 12);
        var phrasePosition = 0;
        foreach (var rune in key.Text.EnumerateRunes())
        {
            if (Rune.IsWhiteSpace(rune))
            {
                AddSilence(output, 70);
            }
            else if (Rune.IsPunctuation(rune) || Rune.IsSymbol(rune))
            {
                AddSilence(output, 160);
                phrasePosition = 0;
            }
            else
            {
                var declination = 1.06 - (0.012 * Math.Min(phrasePosition++, 12));
                AddSyllable(output, StableHash.Of(rune.Value, voice, (uint)key.Seed), pitch * declination, formantScale);
                AddSilence(output, 10);
            }
        }

        return output.ToArray();
    }

    private static void AddSilence(List<short> output, int milliseconds) =>
        output.AddRange(Enumerable.Repeat((short)0, Rate * milliseconds / 1000));

    private static void AddSyllable(List<short> output, uint hash, double pitch, double formantScale)
    {
        var length = Rate * (60 + (int)(hash % 31)) / 1000;
        var f0 = pitch * (0.9 + ((hash >> 12) % 21 / 100.0));
        var harmonics = Harmonics(f0, Vowels[(hash >> 8) % Vowels.Length], formantScale);
        var burst = ((hash >> 20) & 3) == 0 ? 0 : Rate * 12 / 1000;
        uint phase = 0, noise = hash | 1;
        double previousNoise = 0;
        for (var i = 0; i < length; i++)
        {
            var frequency = f0 * (1.04 - (0.08 * i / length));
            phase += (uint)(frequency * (4_294_967_296.0 / Rate));
            double voiced = 0;
            for (var k = 0; k < harmonics.Length; k++)
            {
                voiced += harmonics[k] * SineTable.Sin(unchecked(phase * (uint)(k + 1)));
            }

            var value = voiced * Envelope(i, length);
            if (i < burst)
            {
                noise = unchecked((noise * 1_664_525) + 1_013_904_223);
                var white = ((int)(noise >> 16) - 32_768) / 32_768.0;
                previousNoise = (previousNoise + white) / 2;
                value = (value * i / burst) + (0.25 * previousNoise * (burst - i) / burst);
            }

            output.Add(Pcm16.Clip(value * Peak));
        }
    }

    private static double[] Harmonics(double f0, (double F1, double F2, double F3) vowel, double scale)
    {
        var amplitudes = new double[Math.Max(1, (int)(TopFrequency / f0))];
        double sum = 0;
        for (var k = 0; k < amplitudes.Length; k++)
        {
            var f = (k + 1) * f0;
            var amplitude = Resonance(f, vowel.F1 * scale, 90, 1.0)
                + Resonance(f, vowel.F2 * scale, 110, 0.5)
                + Resonance(f, vowel.F3 * scale, 160, 0.2)
                + 0.02;
            amplitudes[k] = amplitude / Math.Sqrt(k + 1);
            sum += amplitudes[k];
        }

        for (var k = 0; k < amplitudes.Length; k++)
        {
            amplitudes[k] /= sum;
        }

        return amplitudes;
    }

    private static double Resonance(double f, double centre, double bandwidth, double gain)
    {
        var x = (f - centre) / bandwidth;
        return gain / (1 + (x * x));
    }

    // Raised-cosine attack (12 ms) and release (20 ms).
    private static double Envelope(int i, int length)
    {
        const int Attack = Rate * 12 / 1000;
        const int Release = Rate * 20 / 1000;
        if (i < Attack)
        {
            return RaisedCosine(i, Attack);
        }

        var fromEnd = length - 1 - i;
        return fromEnd < Release ? RaisedCosine(fromEnd, Release) : 1;
    }

    // 0 at n = 0 rising to 1 at n = span: 0.5 − 0.5·cos(π·n/span).
    private static double RaisedCosine(int n, int span) =>
        0.5 - (0.5 * SineTable.Sin(SineTable.QuarterTurn + (uint)((long)n * (1L << 31) / span)));
}
