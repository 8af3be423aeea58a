using ChatTts.Emulator;

namespace ChatTts.Edge.Tests.Infrastructure;

/// <summary>Emulator speeds the integration tests use.</summary>
internal static class EmulatorPresets
{
    /// <summary>Each synthesis takes a while (a fraction of real time), so requests overlap and queue up.</summary>
    public static EmulatorOptions Paced(string dialect, double realTimeFactor, int firstChunkMs = 50) => new()
    {
        Dialect = dialect,
        Engine = SpeechEngine.Synthetic,
        FirstChunkDelay = TimeSpan.FromMilliseconds(firstChunkMs),
        RealTimeFactor = realTimeFactor,
    };
}
