namespace ChatTts.Edge.LoadTests.Scenarios.Failover;

/// <summary>
/// The proxy's warnings and errors in its kept output, one line each: the console logger writes a level and
/// category line (<c>warn: ChatTts.Edge.Api.SpeechStreamHandler[3]</c>) followed by the indented message.
/// </summary>
internal static class ProxyWarnings
{
    private static readonly string[] Levels = ["warn: ", "fail: ", "crit: "];

    /// <summary>Each warning as <c>level category[id]: message</c>, oldest first.</summary>
    public static IReadOnlyList<string> Of(string output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var lines = output.Split('\n', StringSplitOptions.TrimEntries);
        var warnings = new List<string>();
        for (var i = 0; i < lines.Length; i++)
        {
            if (Levels.Any(l => lines[i].StartsWith(l, StringComparison.Ordinal)))
            {
                var message = i + 1 < lines.Length && !Levels.Any(l => lines[i + 1].StartsWith(l, StringComparison.Ordinal)) ? lines[i + 1] : "";
                warnings.Add($"{lines[i]}: {message}");
            }
        }

        return warnings;
    }
}
