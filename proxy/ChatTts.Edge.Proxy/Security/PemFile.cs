using System.Security.Cryptography.X509Certificates;

namespace ChatTts.Edge.Security;

/// <summary>
/// A PEM file (and, for a certificate, its key file) loaded again whenever its contents change on disk, so
/// replacing a CA bundle or a certificate takes effect for the next TLS handshake without a restart. The files
/// are small and read at each use: write times and sizes alone miss a copy that keeps both. Thread-safe.
/// </summary>
internal sealed class PemFile<T>(string path, Func<string, T> load, string? companionPath = null)
    where T : class
{
    private readonly Lock _lock = new();
    private byte[]? _contents;
    private T? _value;

    public string Path { get; } = path;

    public T Current
    {
        get
        {
            var contents = Read();
            lock (_lock)
            {
                if (_value is null || _contents is null || !contents.AsSpan().SequenceEqual(_contents))
                {
                    _value = load(Path);
                    _contents = contents;
                }

                return _value;
            }
        }
    }

    /// <summary>Every certificate of a PEM bundle.</summary>
    public static X509Certificate2Collection LoadBundle(string path)
    {
        var bundle = new X509Certificate2Collection();
        bundle.ImportFromPemFile(path);
        return bundle.Count > 0 ? bundle : throw new InvalidOperationException($"{path} holds no PEM certificate.");
    }

    /// <summary>True when <paramref name="load"/> reads the file without an error (start-up validation).</summary>
    public static bool Loads(string path, Action<string> load)
    {
        try
        {
            load(path);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or InvalidOperationException or ArgumentException)
        {
            return false;
        }
    }

    private byte[] Read() => companionPath is null
        ? File.ReadAllBytes(Path)
        : [.. File.ReadAllBytes(Path), .. File.ReadAllBytes(companionPath)];
}
