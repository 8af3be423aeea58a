namespace ChatTts.Edge.Backends.Dialects;

internal static class BackendUri
{
    /// <summary>
    /// Resolves <paramref name="relative"/> (no leading slash) against a destination address,
    /// keeping any path prefix the address has ("http://gpu1/tts" + "v1/ping" → "http://gpu1/tts/v1/ping").
    /// </summary>
    public static Uri Combine(Uri baseAddress, string relative)
    {
        var root = baseAddress.AbsoluteUri.EndsWith('/') ? baseAddress : new Uri(baseAddress.AbsoluteUri + "/");
        return new Uri(root, relative);
    }
}
