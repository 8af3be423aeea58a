using System.Globalization;

namespace ChatTts.Edge.LoadTests.CommandLine;

/// <summary>Durations on the command line and in reports: <c>500ms</c>, <c>30s</c>, <c>1.5s</c>, <c>2m</c>, <c>1h</c>.</summary>
internal static class DurationFormat
{
    public static TimeSpan Parse(string option, string text)
    {
        var split = 0;
        while (split < text.Length && (char.IsAsciiDigit(text[split]) || text[split] == '.'))
        {
            split++;
        }

        double? milliseconds = text[split..] switch
        {
            "ms" => 1,
            "s" => 1_000,
            "m" or "min" => 60_000,
            "h" => 3_600_000,
            _ => null,
        };
        if (split == 0 || milliseconds is null
            || !double.TryParse(text.AsSpan(0, split), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number)
            || number * milliseconds.Value > TimeSpan.FromDays(1).TotalMilliseconds)
        {
            throw new UsageException($"{option} takes a duration such as 500ms, 30s, 2m or 1h, not '{text}'.");
        }

        return TimeSpan.FromMilliseconds(number * milliseconds.Value);
    }

    /// <summary>The shortest form <see cref="Parse"/> reads back to the same value (to the millisecond).</summary>
    public static string Format(TimeSpan value)
    {
        var milliseconds = Math.Round(value.TotalMilliseconds, 3);
        return milliseconds switch
        {
            0 => "0s",
            _ when milliseconds % 3_600_000 == 0 => Invariant(milliseconds / 3_600_000, "h"),
            _ when milliseconds % 60_000 == 0 => Invariant(milliseconds / 60_000, "m"),
            _ when milliseconds >= 1_000 => Invariant(milliseconds / 1_000, "s"),
            _ => Invariant(milliseconds, "ms"),
        };
    }

    private static string Invariant(double number, string unit) =>
        number.ToString("0.###", CultureInfo.InvariantCulture) + unit;
}
