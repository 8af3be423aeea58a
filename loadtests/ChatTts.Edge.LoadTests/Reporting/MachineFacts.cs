using System.Globalization;
using System.Runtime.InteropServices;

namespace ChatTts.Edge.LoadTests.Reporting;

/// <summary>The facts about this machine that a report's figures depend on.</summary>
internal static class MachineFacts
{
    public static string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{System.Environment.ProcessorCount} logical processors, {RuntimeInformation.OSDescription}, " +
        $"{RuntimeInformation.OSArchitecture}, {RuntimeInformation.FrameworkDescription}");

    public static string Date(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        return time.GetUtcNow().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);
    }
}
