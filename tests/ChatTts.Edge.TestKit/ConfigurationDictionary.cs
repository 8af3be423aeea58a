namespace ChatTts.Edge.TestKit;

/// <summary>Configuration in <c>Section:Key</c> form, built up from pieces such as <see cref="QuotaSettings"/>'.</summary>
internal static class ConfigurationDictionary
{
    /// <summary>Sets every key of <paramref name="settings"/> in <paramref name="configuration"/>, over what it had.</summary>
    public static void SetAll(this IDictionary<string, string> configuration, IEnumerable<KeyValuePair<string, string>> settings)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(settings);
        foreach (var (key, value) in settings)
        {
            configuration[key] = value;
        }
    }
}
