using System.Security.Cryptography.X509Certificates;

namespace ChatTts.Edge.Security;

/// <summary>
/// A PEM file read again whenever it changes on disk (its length or write time), so replacing a CA bundle or a
/// certificate takes effect for the next TLS handshake without a restart. Thread-safe.
/// </summary>
internal sealed class PemFile<T>(string path, Func<string, T> load)
    where T : class
{
    private readonly Lock _lock = new();
    private (DateTime WrittenAt, long Length, T Value)? _loaded;

    public string Path { get; } = path;

    public T Current
    {
        get
        {
            var file = new FileInfo(Path);
            lock (_lock)
            {
                if (_loaded is not { } loaded || loaded.WrittenAt != file.LastWriteTimeUtc || loaded.Length != file.Length)
                {
                    _loaded = (file.LastWriteTimeUtc, file.Length, load(Path));
                }

                return _loaded.Value.Value;
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
}
