namespace ChatTts.Edge.Audio;

/// <summary>The one audio format the edge speaks: ChatTTS's s16le, 24 kHz, mono.</summary>
internal static class PcmFormat
{
    public const int SampleRate = 24_000;
    public const int Channels = 1;
    public const int BitsPerSample = 16;
    public const int BytesPerSample = BitsPerSample / 8 * Channels;
    public const int BytesPerSecond = SampleRate * BytesPerSample;
    public const int SamplesPerMillisecond = SampleRate / 1000;

    public static double ToMilliseconds(long samples) => samples * 1000.0 / SampleRate;
}
