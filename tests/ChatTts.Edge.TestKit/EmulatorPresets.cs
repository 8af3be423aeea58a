using ChatTts.Emulator;

namespace ChatTts.Edge.TestKit;

/// <summary>Emulator speeds the integration tests use.</summary>
internal static class EmulatorPresets
{
    /// <summary>
    /// As fast as the emulator goes: first audio after 10 ms, the rest at once (real-time factor 0), written at odd
    /// sizes so chunk boundaries fall inside the WAV header and inside samples.
    /// </summary>
    public static EmulatorOptions Fast(string dialect) => new()
    {
        Dialect = dialect,
        FirstChunkDelay = TimeSpan.FromMilliseconds(10),
        RealTimeFactor = 0,
        SplitWrites = true,
    };

    /// <summary>Each synthesis takes a while (a fraction of real time), so requests overlap and queue up.</summary>
    public static EmulatorOptions Paced(string dialect, double realTimeFactor, int firstChunkMs = 50) => new()
    {
        Dialect = dialect,
        Engine = SpeechEngine.Synthetic,
        FirstChunkDelay = TimeSpan.FromMilliseconds(firstChunkMs),
        RealTimeFactor = realTimeFactor,
    };
}
