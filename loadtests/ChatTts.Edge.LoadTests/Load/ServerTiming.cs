using System.Globalization;
using System.Net.Http.Headers;

namespace ChatTts.Edge.LoadTests.Load;

/// <summary>Reads a metric's <c>dur</c> (milliseconds) from a response's <c>Server-Timing</c> headers,
/// e.g. <c>quota;dur=0.412</c> or <c>db;desc="x";dur=3, quota;dur=0.4</c>.</summary>
internal static class ServerTiming
{
    public const string HeaderName = "Server-Timing";

    /// <summary>The first <paramref name="metric"/>'s duration, or null when no header names it with a valid <c>dur</c>.</summary>
    public static TimeSpan? Duration(HttpResponseHeaders headers, string metric)
    {
        ArgumentNullException.ThrowIfNull(headers);
        if (!headers.TryGetValues(HeaderName, out var values))
        {
            return null;
        }

        foreach (var value in values)
        {
            foreach (var entry in value.Split(',', StringSplitOptions.TrimEntries))
            {
                var parts = entry.Split(';', StringSplitOptions.TrimEntries);
                if (!string.Equals(parts[0], metric, StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                foreach (var parameter in parts.AsSpan(1))
                {
                    if (parameter.StartsWith("dur=", StringComparison.OrdinalIgnoreCase)
                        && double.TryParse(parameter.AsSpan(4), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var milliseconds))
                    {
                        return TimeSpan.FromMilliseconds(milliseconds);
                    }
                }
            }
        }

        return null;
    }
}
