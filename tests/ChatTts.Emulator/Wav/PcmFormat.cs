namespace ChatTts.Emulator.Wav;

/// <summary>The one audio format every dialect carries: s16le, 24 000 Hz, mono.</summary>
internal static class PcmFormat
{
    public const int SampleRate = 24_000;
    public const int Channels = 1;
    public const int BitsPerSample = 16;
    public const int BytesPerSample = BitsPerSample / 8;
    public const int ByteRate = SampleRate * Channels * BytesPerSample;

    public static TimeSpan Duration(int pcmBytes) => TimeSpan.FromSeconds((double)pcmBytes / ByteRate);
}
